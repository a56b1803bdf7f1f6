// Package synth makes plausible, well-formed consignment records from a seed,
// for the shipped example file, tests and benchmarks of the datamodel
// package. It is not the simulator's generator (sim draws traffic from a
// scenario); it only has to give varied, valid, deterministic records.
//
// The importing side is a pilot in the Netherlands: sea cargo discharged at
// Rotterdam, air and postal at Amsterdam, road ferries at Rotterdam, rail at
// Tilburg. Company names are invented.
package synth

import (
	"math/rand/v2"
	"strconv"
	"time"

	"pilotsim/datamodel"
)

// Start is the earliest arrival time of generated consignments.
var Start = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)

// Span is the period over which arrivals spread after Start.
const Span = 14 * 24 * time.Hour

type goods struct {
	hs       datamodel.HSCode
	desc     string
	kgPerPkg float64 // mean
	perKg    float64 // customs value per kg, EUR, mean
	bulk     bool    // not containerized
	from     []string
	modes    []datamodel.Mode
}

const (
	sea    = datamodel.ModeSea
	air    = datamodel.ModeAir
	road   = datamodel.ModeRoad
	rail   = datamodel.ModeRail
	postal = datamodel.ModePostal
)

var goodsTable = []goods{
	{80390, "Fresh bananas, Cavendish, in cartons", 18, 0.9, false, []string{"EC", "CO", "CR"}, []datamodel.Mode{sea}},
	{90111, "Green coffee beans, not roasted, in jute bags", 60, 4.5, false, []string{"BR", "VN", "CO"}, []datamodel.Mode{sea}},
	{180100, "Cocoa beans, whole, raw", 62.5, 3.0, false, []string{"CI", "GH"}, []datamodel.Mode{sea}},
	{30617, "Frozen shrimps and prawns, peeled", 10, 9, false, []string{"VN", "IN", "EC"}, []datamodel.Mode{sea}},
	{60311, "Fresh cut roses", 12, 8, false, []string{"KE", "EC"}, []datamodel.Mode{air}},
	{847130, "Laptop computers", 4, 180, false, []string{"CN"}, []datamodel.Mode{sea, air, rail}},
	{851713, "Smartphones", 2, 400, false, []string{"CN", "HK"}, []datamodel.Mode{air}},
	{854231, "Processors and controllers, integrated circuits", 1, 3000, false, []string{"TW", "KR", "US"}, []datamodel.Mode{air}},
	{610910, "T-shirts of cotton, knitted", 12, 15, false, []string{"BD", "IN", "TR", "CN"}, []datamodel.Mode{sea, road}},
	{640411, "Sports footwear with textile uppers", 10, 25, false, []string{"VN", "CN"}, []datamodel.Mode{sea, rail}},
	{870323, "Passenger cars, spark-ignition, 1500-3000 cc", 1400, 18, false, []string{"JP", "KR", "GB", "US"}, []datamodel.Mode{sea, road}},
	{300490, "Medicaments in measured doses for retail sale", 8, 300, false, []string{"IN", "US", "CH"}, []datamodel.Mode{air, road}},
	{392690, "Articles of plastics, household", 15, 6, false, []string{"CN"}, []datamodel.Mode{sea, rail}},
	{940360, "Wooden furniture for living rooms", 35, 5, false, []string{"CN", "VN"}, []datamodel.Mode{sea, rail}},
	{401110, "New pneumatic tyres for passenger cars", 9, 5, false, []string{"CN", "TR"}, []datamodel.Mode{sea, rail, road}},
	{852872, "Colour television receivers", 15, 20, false, []string{"CN", "KR"}, []datamodel.Mode{sea, rail}},
	{420221, "Handbags with outer surface of leather", 3, 120, false, []string{"CN", "IN"}, []datamodel.Mode{sea, air}},
	{950300, "Toys: dolls, puzzles and scale models", 10, 12, false, []string{"CN"}, []datamodel.Mode{sea, rail}},
	{330499, "Beauty and skin-care preparations", 6, 40, false, []string{"KR", "GB", "CH"}, []datamodel.Mode{air, road}},
	{240220, "Cigarettes containing tobacco", 10, 60, false, []string{"TR", "AE"}, []datamodel.Mode{sea, road}},
	{720839, "Hot-rolled flat steel in coils, under 3 mm", 20000, 0.6, true, []string{"TR", "IN", "KR"}, []datamodel.Mode{sea}},
	{271019, "Lubricating oils in drums", 200, 1.5, false, []string{"US", "AE"}, []datamodel.Mode{sea}},
	{850760, "Lithium-ion accumulators", 20, 30, false, []string{"CN", "KR"}, []datamodel.Mode{sea, air, rail}},
	{711319, "Jewellery of gold", 0.5, 30000, false, []string{"AE", "IN", "TR", "HK"}, []datamodel.Mode{air, postal}},
	{620462, "Women's trousers of cotton", 0.6, 30, false, []string{"CN", "GB", "US"}, []datamodel.Mode{postal}},
	{491199, "Printed matter: catalogues", 0.5, 20, false, []string{"US", "GB"}, []datamodel.Mode{postal}},
}

// Places of loading by country (UN/LOCODE), by mode family: sea ports, then
// airports or inland places.
var seaPorts = map[string][]string{
	"EC": {"ECGYE"}, "CO": {"COCTG"}, "CR": {"CRLIO"}, "BR": {"BRSSZ"}, "VN": {"VNSGN", "VNHPH"},
	"CI": {"CIABJ"}, "GH": {"GHTEM"}, "IN": {"INNSA", "INMAA"}, "CN": {"CNSHA", "CNNGB", "CNTAO"},
	"BD": {"BDCGP"}, "TR": {"TRMER", "TRIST"}, "JP": {"JPYOK"}, "KR": {"KRPUS"}, "GB": {"GBFXT"},
	"US": {"USNYC", "USSAV"}, "AE": {"AEJEA"}, "TW": {"TWKHH"}, "HK": {"HKHKG"},
}

var airports = map[string][]string{
	"KE": {"KENBO"}, "EC": {"ECUIO"}, "CN": {"CNSHA", "CNCAN"}, "HK": {"HKHKG"}, "TW": {"TWTPE"},
	"KR": {"KRSEL"}, "US": {"USNYC", "USCHI"}, "IN": {"INBOM"}, "CH": {"CHBSL"}, "GB": {"GBLON"},
	"AE": {"AEDXB"}, "TR": {"TRIST"},
}

var inland = map[string][]string{ // road and rail
	"GB": {"GBFXT", "GBHUL"}, "TR": {"TRIST"}, "CH": {"CHBSL"}, "IN": {"INNSA"}, "CN": {"CNCTU", "CNXIY"},
	"VN": {"VNHAN"}, "KR": {"KRPUS"},
}

// hubs a sea route may call at between dispatch and destination.
var hubs = []string{"SG", "MY", "AE", "MA", "EG", "ES"}

var cities = map[string][]string{
	"EC": {"Guayaquil", "Machala"}, "CO": {"Cartagena", "Medellin"}, "CR": {"Limon"}, "BR": {"Santos", "Minas"},
	"VN": {"Saigon", "Hai Phong", "Binh Duong"}, "CI": {"Abidjan"}, "GH": {"Tema", "Kumasi"},
	"IN": {"Mumbai", "Chennai", "Tiruppur"}, "CN": {"Ningbo", "Shenzhen", "Yiwu", "Xiamen", "Qingdao"},
	"BD": {"Chittagong"}, "TR": {"Mersin", "Bursa", "Izmir"}, "JP": {"Yokohama", "Osaka"},
	"KR": {"Busan", "Incheon"}, "GB": {"Felixstowe", "Leeds"}, "US": {"Savannah", "Newark", "Houston"},
	"AE": {"Dubai", "Sharjah"}, "TW": {"Taichung", "Hsinchu"}, "HK": {"Kowloon"}, "KE": {"Naivasha"},
	"CH": {"Basel"}, "NL": {"Rotterdam", "Tilburg", "Venlo", "Eindhoven", "Utrecht", "Zwolle"},
}

var suffix = map[string]string{
	"EC": "S.A.", "CO": "S.A.S.", "CR": "S.A.", "BR": "Ltda.", "VN": "Joint Stock Company", "CI": "S.A.",
	"GH": "Ltd.", "IN": "Pvt. Ltd.", "CN": "Co., Ltd.", "BD": "Ltd.", "TR": "A.S.", "JP": "K.K.",
	"KR": "Co., Ltd.", "GB": "Ltd", "US": "Inc.", "AE": "LLC", "TW": "Corp.", "HK": "Limited",
	"KE": "Ltd.", "CH": "AG", "NL": "B.V.",
}

var words = []string{"Golden", "Pacific", "Harbour", "Star", "Bright", "Green", "United", "Delta",
	"Orient", "Crown", "Northern", "Summit", "Blue River", "Evergreen", "Silver", "Atlas"}
var trades = []string{"Trading", "Import", "Export", "Industrial", "Foods", "Electronics", "Textile",
	"Logistics", "Commodities", "Manufacturing"}

// Generator makes consignment records from a seeded random stream.
type Generator struct {
	r         *rand.Rand
	seq       int
	importers []datamodel.Party
	aeo       []bool
	brokers   []datamodel.Party
	// Outcomes makes Next fill the Outcome of each record (a historical
	// data set with control results); without it Outcome stays zero.
	Outcomes bool
}

// New returns a Generator for seed: the same seed gives the same records.
func New(seed uint64) *Generator {
	g := &Generator{r: rand.New(rand.NewPCG(seed, 0x5eed_da7a))}
	for range 40 {
		g.importers = append(g.importers, g.party("NL"))
		g.aeo = append(g.aeo, g.r.Float64() < 0.45)
	}
	for range 4 {
		p := g.party("NL")
		p.Name = g.pick(cities["NL"]) + " Customs Services B.V."
		g.brokers = append(g.brokers, p)
	}
	return g
}

func (g *Generator) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g *Generator) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

// party invents a company of country cc with an EORI-like id.
func (g *Generator) party(cc string) datamodel.Party {
	name := g.pick(cities[cc]) + " " + g.pick(words) + " " + g.pick(trades) + " " + suffix[cc]
	return datamodel.Party{Name: name, ID: cc + g.digits(12)}
}

// containerNumber makes a valid ISO 6346 number of the owner's.
func (g *Generator) containerNumber(owner string) string {
	s := owner + "U" + g.digits(6)
	d, err := datamodel.ContainerCheckDigit(s)
	if err != nil {
		panic(err) // owner codes are constants of this file
	}
	return s + strconv.Itoa(d)
}

// imoNumber makes an IMO ship number with its check digit: the six digits
// weighted 7 down to 2, sum mod 10.
func (g *Generator) imoNumber() string {
	d := "9" + g.digits(5)
	sum := 0
	for i := 0; i < 6; i++ {
		sum += int(d[i]-'0') * (7 - i)
	}
	return "IMO" + d + strconv.Itoa(sum%10)
}

var owners = []string{"BML", "OSS", "NVL", "GRT", "PCX"}
var lines = []string{"Blue Meridian Lines", "Orient Star Shipping", "North Sea Feeder Lines", "Great Rift Container Line"}
var airlines = []struct{ name, code string }{{"Tulip Air Cargo", "TQ"}, {"Pacific Freighters", "PF"}, {"Kestrel Cargo", "KX"}}
var hauliers = []string{"Channel Road Haulage", "Anatolia Trans", "Alpine Freight"}
var threats = []string{"revenue_undervaluation", "revenue_misclassification", "ipr_counterfeit", "narcotics"}

// Next fills c with the next record; c's slices are reused.
func (g *Generator) Next(c *datamodel.Consignment) {
	g.seq++
	r := g.r
	c.Reset()
	gd := &goodsTable[r.IntN(len(goodsTable))]
	mode := gd.modes[r.IntN(len(gd.modes))]
	from := gd.from[r.IntN(len(gd.from))]
	origin, _ := datamodel.ParseCountry(from)
	dispatch := from
	if mode == postal && r.IntN(3) == 0 {
		dispatch = "HK" // consolidated at an express hub
	}
	if mode == road && (from != "GB" && from != "TR" && from != "CH") {
		dispatch = "GB" // goods from overseas cleared on by road from a GB warehouse
	}
	c.Origin = origin
	c.Dispatch, _ = datamodel.ParseCountry(dispatch)
	c.Mode = mode

	imp := r.IntN(len(g.importers))
	c.Importer = g.importers[imp]
	c.Consignee = c.Importer
	if r.IntN(5) == 0 {
		c.Consignee = g.importers[(imp+1+r.IntN(len(g.importers)-1))%len(g.importers)]
	}
	c.AEO = g.aeo[imp]
	c.Consignor = g.party(dispatch)
	c.Exporter = c.Consignor
	if r.IntN(4) == 0 {
		c.NotifyParty = g.party("NL")
		c.NotifyParty.Name = g.pick(cities["NL"]) + " Forwarding B.V."
	}
	c.Declarant = g.brokers[r.IntN(len(g.brokers))]
	if r.IntN(5) == 0 {
		c.Declarant = c.Importer // self-declared
	}

	c.GoodsDescription = gd.desc
	c.HS = gd.hs
	var kg float64
	switch {
	case mode == postal:
		c.Packages = 1
		kg = 0.2 + r.Float64()*4.8
	case gd.bulk:
		c.Packages = 1 + r.IntN(20)
		kg = float64(c.Packages) * gd.kgPerPkg * (0.9 + 0.2*r.Float64())
	default:
		c.Packages = 1 + int(r.ExpFloat64()*float64(packagesMean(mode, gd.kgPerPkg)))
		kg = float64(c.Packages) * gd.kgPerPkg * (0.8 + 0.4*r.Float64())
	}
	c.GrossWeight = round(kg, 1)
	c.CustomsValue = round(kg*gd.perKg*(0.5+r.Float64()), 2)
	c.Currency = "EUR"
	if from == "US" || r.IntN(4) == 0 {
		c.Currency = "USD"
	}

	var loadings map[string][]string
	switch mode {
	case sea:
		loadings = seaPorts
	case air, postal:
		loadings = airports
	default:
		loadings = inland
	}
	if p := loadings[dispatch]; len(p) > 0 {
		c.PlaceOfLoading = g.pick(p)
	}
	c.Routing = append(c.Routing, c.Dispatch)
	nl, _ := datamodel.ParseCountry("NL")
	switch mode {
	case sea:
		c.PlaceOfDischarge = "NLRTM"
		if r.IntN(2) == 0 && dispatch != "GB" {
			h, _ := datamodel.ParseCountry(g.pick(hubs))
			c.Routing = append(c.Routing, h)
		}
		line := r.IntN(len(lines))
		c.Carrier = datamodel.Party{Name: lines[line], ID: "NL" + strconv.Itoa(100000000+line*7919)}
		c.MeansOfTransport = g.imoNumber()
		c.ConveyanceRef = strconv.Itoa(100+r.IntN(900)) + "W"
		if !gd.bulk {
			n := 1 + r.IntN(3)
			owner := owners[r.IntN(len(owners))]
			for range n {
				c.Containers = append(c.Containers, g.containerNumber(owner))
				c.Seals = append(c.Seals, owner+g.digits(7))
			}
		}
	case air, postal:
		c.PlaceOfDischarge = "NLAMS"
		if r.IntN(3) == 0 {
			h, _ := datamodel.ParseCountry("AE")
			c.Routing = append(c.Routing, h)
		}
		al := airlines[r.IntN(len(airlines))]
		c.Carrier = datamodel.Party{Name: al.name, ID: "NL" + g.digits(9)}
		c.ConveyanceRef = al.code + strconv.Itoa(100+r.IntN(9900))
		if mode == air {
			c.MeansOfTransport = "PH-" + string(rune('A'+r.IntN(26))) + string(rune('A'+r.IntN(26))) + string(rune('A'+r.IntN(26)))
		}
	case road:
		c.PlaceOfDischarge = "NLRTM"
		c.Carrier = datamodel.Party{Name: g.pick(hauliers) + " " + suffix[dispatch], ID: dispatch + g.digits(10)}
		c.MeansOfTransport = dispatch + "-" + g.digits(4) + string(rune('A'+r.IntN(26))) + string(rune('A'+r.IntN(26)))
		c.Seals = append(c.Seals, "RS"+g.digits(8))
	case rail:
		c.PlaceOfDischarge = "NLTLB"
		for _, cc := range []string{"KZ", "RU", "BY", "PL"} {
			k, _ := datamodel.ParseCountry(cc)
			c.Routing = append(c.Routing, k)
		}
		c.Carrier = datamodel.Party{Name: "Silk Road Rail Freight Co., Ltd.", ID: "CN" + g.digits(12)}
		c.MeansOfTransport = "TRAIN-" + g.digits(5)
		c.ConveyanceRef = "X" + g.digits(4)
		owner := owners[r.IntN(len(owners))]
		for range 1 + r.IntN(2) {
			c.Containers = append(c.Containers, g.containerNumber(owner))
			c.Seals = append(c.Seals, owner+g.digits(7))
		}
	}
	c.Routing = append(c.Routing, nl)

	c.Arrival = Start.Add(time.Duration(r.Int64N(int64(Span)))).Truncate(time.Minute)
	var lead time.Duration
	switch mode {
	case sea:
		lead = time.Duration(24+r.IntN(24*20)) * time.Hour
	case air:
		lead = time.Duration(2+r.IntN(10)) * time.Hour
	case road:
		lead = time.Duration(1+r.IntN(3)) * time.Hour
	case rail:
		lead = time.Duration(2+r.IntN(24)) * time.Hour
	case postal:
		lead = time.Duration(r.IntN(6)) * time.Hour
	}
	if r.IntN(10) == 0 {
		lead = -time.Duration(r.IntN(48*60)) * time.Minute // lodged after arrival
	}
	c.Lodgement = c.Arrival.Add(-lead - time.Duration(r.IntN(60))*time.Minute)

	year := c.Arrival.Year() % 10
	c.UCR = strconv.Itoa(year) + c.Exporter.ID + "-" + leftPad(strconv.Itoa(g.seq), 6)

	if g.Outcomes {
		g.outcome(c)
	}
}

func (g *Generator) outcome(c *datamodel.Consignment) {
	r := g.r
	o := &c.Outcome
	pControl := 0.2
	if c.AEO {
		pControl = 0.1 // AEOs are controlled half as often
	}
	if r.Float64() >= pControl {
		o.Controls = datamodel.ControlNone
		return
	}
	switch u := r.Float64(); {
	case u < 0.55:
		o.Controls = datamodel.ControlDocument
	case u < 0.70:
		o.Controls = datamodel.ControlNII
	case u < 0.85:
		o.Controls = datamodel.ControlNII | datamodel.ControlPhysical
	default:
		o.Controls = datamodel.ControlPhysical
	}
	o.Result = datamodel.ResultClean
	if r.Float64() < 0.06 {
		o.Result = datamodel.ResultIrregular
		o.Threat = threats[r.IntN(len(threats))]
		if o.Threat == "revenue_undervaluation" || o.Threat == "revenue_misclassification" {
			o.DutyRecovered = round(c.CustomsValue*(0.02+0.1*r.Float64()), 2)
		}
	}
}

func packagesMean(m datamodel.Mode, kgPerPkg float64) int {
	load := 12000.0 // kg per consignment, about
	switch m {
	case air:
		load = 400
	case road:
		load = 8000
	}
	n := int(load / kgPerPkg)
	return max(1, min(n, 2000))
}

func round(v float64, dec int) float64 {
	p := 1.0
	for range dec {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}
