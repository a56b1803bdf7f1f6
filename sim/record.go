package sim

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"pilotsim/datamodel"
)

// RecordEpoch is the calendar instant of simulated time 0 in full records: a
// Monday at 00:00 UTC, so that hourly and weekly profiles fall on the right
// hours and days.
var RecordEpoch = datamodel.TraceEpoch

// The importing side of generated records: the scenario format does not name
// the border crossing point, so records show a Belgian pilot (Antwerp for sea,
// road and rail, Brussels airport for air and postal), a country absent from
// the shipped scenarios' origins and hubs.
var (
	recImporterCountry = "BE"
	recDischarge       = [datamodel.NumModes]string{"BEANR", "BEBRU", "BEANR", "BEANR", "BEBRU"}
)

// Record fills rec with the full WCO Data Model record of c, a consignment
// this generator made: unique consignment reference, parties (the trader as
// consignee, importer and notify party; a supplier in the country of origin as
// consignor and exporter; a carrier; a declarant), goods description from the
// HS chapter, packages, containers with ISO 6346 check digits and seals (sea
// and rail), UN/LOCODE-shaped places of loading and discharge, means of
// transport and conveyance reference, and RFC 3339 times from RecordEpoch
// (whole seconds). The currency is the scenario's (USD by default).
//
// Everything not in c comes from a stream seeded from (seed, replication,
// PurposeRecord, c.Seq) and from hashes of the trader and supplier, so the
// same consignment always gives the same record, the same trader always has
// the same name, and writing records or not changes no other draw. Record
// allocates (strings); it is for output, not for the hot path. rec's slices
// are reused.
func (g *Generator) Record(c *Consignment, rec *datamodel.Consignment) {
	m := g.m
	seed := m.Scenario.Seed
	// The seeds of Stream(seed, rep, PurposeRecord), mixed with c.Seq.
	purpose := uint64(PurposeRecord)
	a := mix(seed ^ mix(uint64(g.rep)+0x9e3779b97f4a7c15))
	b := mix(a ^ mix(purpose*0xbf58476d1ce4e5b9))
	g.pcg.Seed(mix(a^mix(c.Seq)), mix(b^c.Seq))
	r := g.rec

	*rec = datamodel.Consignment{Routing: rec.Routing[:0], Containers: rec.Containers[:0], Seals: rec.Seals[:0]}

	// Parties.
	trader := int(c.Trader)
	importer := recCompany(recHash(seed, 1, uint64(trader)), recImporterCountry)
	importer.ID = recImporterCountry + m.traderIDs[trader]
	rec.Consignee, rec.Importer, rec.NotifyParty = importer, importer, importer
	supplier := uint64(r.IntN(3)) // a trader buys from up to three suppliers per origin
	consignor := recCompany(recHash(seed, 2, uint64(trader)<<16|uint64(c.Origin)<<2|supplier), c.Origin.String())
	rec.Consignor, rec.Exporter = consignor, consignor
	if r.Float64() < 0.6 { // most declarations are lodged by a customs broker
		k := r.IntN(len(recBrokers))
		rec.Declarant = datamodel.Party{Name: recBrokers[k], ID: recImporterCountry + "B" + strconv.Itoa(1001+k)}
	} else {
		rec.Declarant = importer
	}
	cars := recCarriers[c.Mode]
	ci := r.IntN(len(cars))
	car := cars[ci]
	rec.Carrier = datamodel.Party{Name: car.name, ID: car.code}

	// Goods.
	ch := int(c.HS / 10000)
	pk := recPackages[c.Mode]
	kind := pk[r.IntN(len(pk))]
	perPkg := kind.kg * math.Exp(0.5*r.NormFloat64())
	rec.Packages = max(1, int(math.Round(c.GrossWeight/perPkg)))
	rec.HS = datamodel.HSCode(c.HS)
	rec.GoodsDescription = recChapterTitle[ch] + ", heading " + rec.HS.String()[:4] + ", in " + kind.name
	rec.GrossWeight = c.GrossWeight
	rec.CustomsValue = c.Value
	rec.Currency = m.Scenario.Trade.Currency
	if rec.Currency == "" {
		rec.Currency = "USD"
	}

	// Route.
	rec.Origin, rec.Dispatch = c.Origin, c.Dispatch
	if c.Hub != datamodel.NoCountry {
		rec.Routing = append(rec.Routing, c.Hub)
	}
	rec.PlaceOfLoading = recLocode(c.Dispatch, r.IntN(3))
	rec.PlaceOfDischarge = recDischarge[c.Mode]
	rec.Mode = c.Mode
	// Sea, air and rail consignments of one carrier arriving in the same
	// half day travel on the same ship, flight or train.
	bucket := uint64(max(0, math.Floor(c.Arrival/720)))
	conv := rand.New(rand.NewPCG(recHash(seed, 4, uint64(g.rep)<<40|uint64(c.Mode)<<32|uint64(ci)<<24|bucket), 0))
	switch c.Mode {
	case datamodel.ModeSea:
		rec.MeansOfTransport = recIMO(conv)
		rec.ConveyanceRef = recDigits(conv, 3) + string("EWNS"[conv.IntN(4)])
	case datamodel.ModeAir:
		rec.MeansOfTransport = car.code[:2] + "-" + recLetters(conv, 3)
		rec.ConveyanceRef = car.code[:2] + strconv.Itoa(100+conv.IntN(9900))
	case datamodel.ModeRoad:
		rec.MeansOfTransport = recLetters(r, 2) + "-" + recDigits(r, 3) + "-" + recLetters(r, 2)
		rec.ConveyanceRef = "TRIP" + recDigits(r, 6)
	case datamodel.ModeRail:
		rec.MeansOfTransport = "TRAIN" + recDigits(conv, 5)
		rec.ConveyanceRef = "RW" + recDigits(conv, 6)
	case datamodel.ModePostal:
		rec.MeansOfTransport = car.code
		rec.ConveyanceRef = car.code[:2] + recDigits(r, 9) + recImporterCountry
	}
	if c.Mode == datamodel.ModeSea || c.Mode == datamodel.ModeRail {
		n := min(20, max(1, int(math.Ceil(c.GrossWeight/24000))))
		for range n {
			serial := car.owner + "U" + recDigits(r, 6)
			d, err := datamodel.ContainerCheckDigit(serial)
			if err != nil { // owner codes are three capitals: cannot happen
				panic(err)
			}
			rec.Containers = append(rec.Containers, serial+strconv.Itoa(d))
			rec.Seals = append(rec.Seals, car.owner+recDigits(r, 7))
		}
	}

	// Times, to the second.
	rec.Lodgement = recTime(c.Lodgement)
	rec.Arrival = recTime(c.Arrival)
	rec.AEO = c.Flags&FlagAEO != 0
	// UCR in the WCO pattern: year digit, exporter id (country and number),
	// then a reference unique within the run (replication and sequence).
	rec.UCR = strconv.Itoa(rec.Arrival.Year()%10) + consignor.ID + "-" + strconv.Itoa(g.rep) + "-" + strconv.FormatUint(c.Seq, 10)
}

// recTime converts simulated minutes to a calendar time, to the second.
func recTime(minutes float64) time.Time {
	return RecordEpoch.Add(time.Duration(math.Round(minutes*60)) * time.Second)
}

// recHash mixes the scenario seed, a kind and a key into a 64-bit value.
func recHash(seed, kind, key uint64) uint64 {
	return mix(mix(seed^kind*0x9e3779b97f4a7c15) ^ key)
}

// recCompany makes a company (name and id) in country from hash h: the same
// h always gives the same company.
func recCompany(h uint64, country string) datamodel.Party {
	w1 := recWords[h%uint64(len(recWords))]
	h /= uint64(len(recWords))
	w2 := recTrades[h%uint64(len(recTrades))]
	h /= uint64(len(recTrades))
	suffix, ok := recSuffix[country]
	if !ok {
		suffix = "Ltd."
	}
	id := strconv.FormatUint(1_000_000_000+h%9_000_000_000, 10)
	return datamodel.Party{Name: w1 + " " + w2 + " " + suffix, ID: country + id}
}

// recLocode makes a UN/LOCODE-shaped place in country: a real code for the
// main ports of common countries, else country + three letters.
func recLocode(c datamodel.Country, k int) string {
	code := c.String()
	if ports, ok := recPorts[code]; ok {
		return code + ports[k%len(ports)]
	}
	h := recHash(uint64(c), 3, uint64(k))
	var b [3]byte
	for i := range b {
		b[i] = byte('A' + h%26)
		h /= 26
	}
	return code + string(b[:])
}

func recDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func recLetters(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('A' + r.IntN(26))
	}
	return string(b)
}

// recIMO makes an IMO ship number: seven digits whose last is the check digit
// (sum of the first six times 7, 6, …, 2, modulo 10).
func recIMO(r *rand.Rand) string {
	d := recDigits(r, 6)
	if d[0] == '0' {
		d = "9" + d[1:]
	}
	return "IMO" + d + strconv.Itoa(recIMODigit(d))
}

// recIMODigit returns the check digit of the six first digits of an IMO number.
func recIMODigit(d string) int {
	sum := 0
	for i := range 6 {
		sum += int(d[i]-'0') * (7 - i)
	}
	return sum % 10
}

type recCarrier struct {
	name, code string
	owner      string // ISO 6346 owner code (3 letters) of its containers
}

// Invented carriers, by mode.
var recCarriers = [datamodel.NumModes][]recCarrier{
	datamodel.ModeSea: {
		{"Oceanic Container Line", "OCLN", "OCL"}, {"Meridian Shipping", "MRDS", "MRD"},
		{"Blue Anchor Lines", "BLAL", "BAL"}, {"Northstar Maritime", "NSMT", "NST"},
		{"Coral Bay Carriers", "CBCR", "CBC"},
	},
	datamodel.ModeAir: {
		{"Skyway Cargo", "SK7", "SKY"}, {"Aurora Air Freight", "AU4", "AUR"}, {"Falcon Express Air", "FX9", "FAL"},
	},
	datamodel.ModeRoad: {
		{"Eurotrans Haulage", "ETH01", "ETH"}, {"Roadlink Logistics", "RLL02", "RLL"}, {"Continental Trucking", "CTK03", "CTK"},
	},
	datamodel.ModeRail: {
		{"Silk Rail Freight", "SRF", "SRF"}, {"TransEuro Rail Cargo", "TER", "TER"},
	},
	datamodel.ModePostal: {
		{"Global Post Express", "GPX", "GPX"}, {"Parcel Bridge Courier", "PBC", "PBC"},
	},
}

type recPackage struct {
	name string
	kg   float64 // typical gross weight of one package
}

var recPackages = [datamodel.NumModes][]recPackage{
	datamodel.ModeSea:    {{"cartons", 20}, {"pallets", 600}, {"bags", 50}, {"drums", 200}, {"crates", 150}},
	datamodel.ModeAir:    {{"cartons", 15}, {"pallets", 300}, {"packages", 5}},
	datamodel.ModeRoad:   {{"pallets", 500}, {"cartons", 20}, {"crates", 150}},
	datamodel.ModeRail:   {{"cartons", 20}, {"pallets", 600}, {"crates", 150}},
	datamodel.ModePostal: {{"parcels", 2}, {"packets", 0.5}},
}

var recWords = []string{"Golden", "Pacific", "Harbour", "Star", "Bright", "Green", "United", "Delta",
	"Orient", "Crown", "Northern", "Summit", "Blue River", "Evergreen", "Silver", "Atlas", "Sunrise",
	"Cedar", "Horizon", "Royal", "Eastern", "Western", "Coastal", "Prime"}

var recTrades = []string{"Trading", "Import", "Export", "Industrial", "Foods", "Electronics", "Textile",
	"Logistics", "Commodities", "Manufacturing", "Supplies", "Distribution", "Holdings", "Agro"}

var recSuffix = map[string]string{
	"BE": "NV", "NL": "B.V.", "DE": "GmbH", "FR": "SARL", "IT": "S.r.l.", "ES": "S.L.", "GB": "Ltd",
	"US": "Inc.", "CN": "Co., Ltd.", "IN": "Pvt. Ltd.", "BR": "Ltda.", "CO": "S.A.S.", "EC": "S.A.",
	"MX": "S.A. de C.V.", "TR": "A.S.", "VN": "Joint Stock Company", "TH": "Co., Ltd.", "JP": "K.K.",
	"KR": "Co., Ltd.", "ID": "PT", "MY": "Sdn. Bhd.", "PE": "S.A.C.", "BO": "S.R.L.", "AE": "LLC",
	"PA": "S.A.", "RU": "OOO", "UA": "TOV", "ZA": "(Pty) Ltd", "NG": "Ltd.", "PK": "(Pvt.) Ltd.",
	"SG": "Pte. Ltd.", "MA": "SARL", "AF": "Ltd.", "CH": "AG",
}

var recBrokers = []string{"Antwerp Customs Services NV", "Scheldt Declarations BVBA",
	"Port Clearance Partners NV", "Brabant Forwarding NV", "Flanders Customs Brokers NV"}

// recPorts holds location parts of real UN/LOCODEs of main ports and airports.
var recPorts = map[string][]string{
	"CN": {"SHA", "NGB", "SZX"}, "US": {"NYC", "LAX", "SAV"}, "DE": {"HAM", "BRV"}, "IN": {"NSA", "MAA"},
	"BR": {"SSZ", "RIG"}, "CO": {"CTG", "BUN"}, "EC": {"GYE"}, "MX": {"ZLO", "VER"}, "TR": {"MER", "IST"},
	"VN": {"SGN", "HPH"}, "TH": {"LCH", "BKK"}, "ZA": {"DUR", "CPT"}, "NG": {"APP", "LOS"}, "PK": {"KHI"},
	"GB": {"FXT", "SOU"}, "FR": {"LEH", "MRS"}, "IT": {"GOA", "SPE"}, "ES": {"VLC", "ALG"}, "NL": {"RTM"},
	"JP": {"TYO", "YOK"}, "KR": {"PUS"}, "ID": {"JKT", "SUB"}, "MY": {"PKG", "TPP"}, "PE": {"CLL"},
	"AE": {"JEA", "DXB"}, "PA": {"MIT", "BLB"}, "RU": {"LED", "NVS"}, "UA": {"ODS"}, "SG": {"SIN"},
	"MA": {"TNG", "CAS"},
}

// recChapterTitle is a short title of each HS chapter.
var recChapterTitle = [98]string{
	"",
	"Live animals", "Meat and edible meat offal", "Fish and crustaceans, molluscs",
	"Dairy produce, birds' eggs, natural honey", "Products of animal origin", "Live plants and cut flowers",
	"Edible vegetables", "Edible fruit and nuts", "Coffee, tea, mate and spices", "Cereals",
	"Products of the milling industry", "Oil seeds and oleaginous fruits", "Lac, gums and resins",
	"Vegetable plaiting materials", "Animal or vegetable fats and oils", "Preparations of meat or fish",
	"Sugars and sugar confectionery", "Cocoa and cocoa preparations", "Preparations of cereals, flour or milk",
	"Preparations of vegetables, fruit or nuts", "Miscellaneous edible preparations",
	"Beverages, spirits and vinegar", "Residues of the food industries, animal fodder",
	"Tobacco and manufactured tobacco substitutes", "Salt, sulphur, earths and stone, cement",
	"Ores, slag and ash", "Mineral fuels and oils", "Inorganic chemicals", "Organic chemicals",
	"Pharmaceutical products", "Fertilisers", "Tanning or dyeing extracts, paints and varnishes",
	"Essential oils, perfumery and cosmetics", "Soap, washing preparations and waxes",
	"Albuminoidal substances, glues and enzymes", "Explosives and pyrotechnic products",
	"Photographic or cinematographic goods", "Miscellaneous chemical products", "Plastics and articles thereof",
	"Rubber and articles thereof", "Raw hides and skins, leather", "Articles of leather, handbags and travel goods",
	"Furskins and artificial fur", "Wood and articles of wood", "Cork and articles of cork",
	"Basketware and wickerwork", "Pulp of wood, recovered paper", "Paper and paperboard",
	"Printed books, newspapers and pictures", "Silk", "Wool and animal hair", "Cotton",
	"Other vegetable textile fibres", "Man-made filaments", "Man-made staple fibres",
	"Wadding, felt, twine and cordage", "Carpets and textile floor coverings",
	"Special woven fabrics, lace and embroidery", "Impregnated or coated textile fabrics",
	"Knitted or crocheted fabrics", "Apparel, knitted or crocheted", "Apparel, not knitted or crocheted",
	"Made-up textile articles and worn clothing", "Footwear", "Headgear",
	"Umbrellas, walking sticks and whips", "Prepared feathers and artificial flowers",
	"Articles of stone, plaster and cement", "Ceramic products", "Glass and glassware",
	"Pearls, precious stones and metals, jewellery", "Iron and steel", "Articles of iron or steel",
	"Copper and articles thereof", "Nickel and articles thereof", "Aluminium and articles thereof",
	"", "Lead and articles thereof", "Zinc and articles thereof", "Tin and articles thereof",
	"Other base metals and cermets", "Tools and cutlery of base metal", "Miscellaneous articles of base metal",
	"Machinery and mechanical appliances", "Electrical machinery and equipment",
	"Railway locomotives and rolling stock", "Vehicles other than railway", "Aircraft, spacecraft and parts",
	"Ships, boats and floating structures", "Optical, measuring and medical instruments",
	"Clocks and watches", "Musical instruments", "Arms and ammunition",
	"Furniture, bedding and lamps", "Toys, games and sports requisites", "Miscellaneous manufactured articles",
	"Works of art, collectors' pieces and antiques",
}
