package datamodel

import (
	"slices"
	"time"
)

// Party is a trader or other party named in a declaration: its name and its
// identifier (for example an EORI number or a national tax id). Either may be
// empty where the declaration does not give it.
type Party struct {
	Name string
	ID   string
}

// Consignment is one consignment as a customs administration receives it in
// advance electronic cargo information: the key data elements of the WCO Data
// Model (docs/domain.md, "Key data elements"), with their WCO Data Model ids in the
// comments ("unverified" where the source marks them so, "—" where it gives
// none), and, for data with known results, the Outcome of the controls.
//
// A Reader fills a Consignment from a CSV row and a Writer writes one; the
// comments name the CSV column of each field. Validate checks a record built
// in code against the same rules the Reader applies.
type Consignment struct {
	UCR string // 016 Unique Consignment Reference, an..35 (ISO 15459 based); column ucr; required

	Consignor   Party // 071 name / 072 id: consignor or shipper; columns consignor_name (required), consignor_id
	Consignee   Party // 051 name / 052 id; columns consignee_name (required), consignee_id
	Importer    Party // 039 name / 040 id; columns importer_name, importer_id
	Exporter    Party // 041 name / 042 id; columns exporter_name, exporter_id
	Carrier     Party // 049 name / 050 id; columns carrier_name, carrier_id
	NotifyParty Party // 057 name / 058 id; columns notify_party_name, notify_party_id
	Declarant   Party // — (no WCO id in docs/domain.md); columns declarant_name, declarant_id

	GoodsDescription string  // 137 plain-language description; column goods_description; required
	HS               HSCode  // 145 tariff classification, 6-digit HS subheading; column hs_code; required
	Packages         int     // 144 (unverified) number of packages, >= 0; column packages; required
	GrossWeight      float64 // 131 total gross weight in kg, >= 0; column gross_weight_kg; required
	CustomsValue     float64 // 108 customs value, >= 0, in Currency; column customs_value; required
	Currency         string  // — ISO 4217 code of CustomsValue (and DutyRecovered); column currency; required

	Origin   Country   // — (unverified) country of origin; column country_of_origin; required
	Dispatch Country   // 062 country of exportation (dispatch); column country_of_dispatch; required
	Routing  []Country // 064 countries of routing, in order; column countries_of_routing, ';'-separated

	PlaceOfLoading   string // — (unverified) UN/LOCODE, e.g. CNSHA; column place_of_loading
	PlaceOfDischarge string // — (unverified) UN/LOCODE, e.g. NLRTM; column place_of_discharge

	Mode             Mode     // — transport mode at the border; column transport_mode; required
	MeansOfTransport string   // 167 identification of the means of transport (e.g. IMO number, registration); column means_of_transport_id
	ConveyanceRef    string   // 205 conveyance reference (voyage or flight number); column conveyance_reference
	Containers       []string // 159 (unverified) ISO 6346 container numbers; column container_numbers, ';'-separated
	Seals            []string // 165 (unverified) seal numbers; column seal_numbers, ';'-separated

	Lodgement time.Time // — time the declaration was lodged (RFC 3339); column lodgement_time; required
	Arrival   time.Time // — time the goods arrived (RFC 3339); column arrival_time; required
	AEO       bool      // — the declaring trader is an Authorized Economic Operator; column aeo (yes/no); required

	Outcome Outcome // results of controls, for data with known results; all columns optional
}

// Outcome is what controls found, for data with known results (historical
// declarations for backtest, the simulator's trace). Its zero value means
// "not recorded".
type Outcome struct {
	Controls      Controls // controls performed; column control
	Result        Result   // irregularity found or not; column irregular
	Threat        string   // threat category found, e.g. "narcotics"; column threat
	DutyRecovered float64  // duty recovered, >= 0, in the consignment's Currency; column duty_recovered
}

// Recorded reports whether any outcome is recorded.
func (o *Outcome) Recorded() bool { return *o != Outcome{} }

// Reset clears c for reuse, keeping the capacity of its slices.
func (c *Consignment) Reset() {
	*c = Consignment{Routing: c.Routing[:0], Containers: c.Containers[:0], Seals: c.Seals[:0]}
}

// Clone returns a deep copy of c: a record from a Reader stays valid after
// the next call to Next only as a clone.
func (c *Consignment) Clone() *Consignment {
	d := *c
	d.Routing = slices.Clone(c.Routing)
	d.Containers = slices.Clone(c.Containers)
	d.Seals = slices.Clone(c.Seals)
	return &d
}

// Equal reports whether c and d hold the same record: times are compared as
// instants (time.Time.Equal), and a nil slice equals an empty one.
func (c *Consignment) Equal(d *Consignment) bool {
	return c.UCR == d.UCR &&
		c.Consignor == d.Consignor && c.Consignee == d.Consignee &&
		c.Importer == d.Importer && c.Exporter == d.Exporter &&
		c.Carrier == d.Carrier && c.NotifyParty == d.NotifyParty && c.Declarant == d.Declarant &&
		c.GoodsDescription == d.GoodsDescription && c.HS == d.HS && c.Packages == d.Packages &&
		c.GrossWeight == d.GrossWeight && c.CustomsValue == d.CustomsValue && c.Currency == d.Currency &&
		c.Origin == d.Origin && c.Dispatch == d.Dispatch && slices.Equal(c.Routing, d.Routing) &&
		c.PlaceOfLoading == d.PlaceOfLoading && c.PlaceOfDischarge == d.PlaceOfDischarge &&
		c.Mode == d.Mode && c.MeansOfTransport == d.MeansOfTransport && c.ConveyanceRef == d.ConveyanceRef &&
		slices.Equal(c.Containers, d.Containers) && slices.Equal(c.Seals, d.Seals) &&
		c.Lodgement.Equal(d.Lodgement) && c.Arrival.Equal(d.Arrival) && c.AEO == d.AEO &&
		c.Outcome == d.Outcome
}

// Validate checks c against the rules a Reader applies to a CSV row: it
// returns nil when c, written by a Writer, would read back without error, and
// otherwise a *RowError (Row and Line 0) listing every problem by column name.
func (c *Consignment) Validate() error {
	var f [numCols]string
	c.format(nil, &f)
	var tmp Consignment
	var errs []FieldError
	var bad uint64
	for id := range colID(numCols) {
		if p := parseField(&tmp, id, f[id]); p.msg != "" {
			bad |= 1 << id
			fe := FieldError{Column: columns[id].Name, Value: f[id], Problem: p.msg, Expected: columns[id].Expected}
			if p.item > 0 {
				fe.Item, fe.Value = p.item, p.value
			}
			errs = append(errs, fe)
		}
	}
	// A list with one empty item writes as an empty cell and would read
	// back empty: report what the round trip would lose.
	for _, l := range [...]struct {
		id   colID
		n, m int
	}{{colRouting, len(c.Routing), len(tmp.Routing)}, {colContainers, len(c.Containers), len(tmp.Containers)}, {colSeals, len(c.Seals), len(tmp.Seals)}} {
		if l.n != l.m && bad&(1<<l.id) == 0 {
			bad |= 1 << l.id
			errs = append(errs, FieldError{Column: columns[l.id].Name, Item: 1, Problem: emptyItem, Expected: columns[l.id].Expected})
		}
	}
	errs = checkRecord(&tmp, &f, bad, errs, func(colID) (int, int) { return 0, 0 })
	if errs != nil {
		return &RowError{Fields: errs}
	}
	return nil
}
