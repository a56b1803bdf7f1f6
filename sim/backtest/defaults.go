package backtest

import (
	"slices"
	"strings"

	"pilotsim/sim/risk"
)

// The built-in mappings: pilotsim's own CSV columns (package datamodel), and
// the files pilotsim generate writes (the same columns, then the risk
// engine's verdict and the ground truth).

// datamodelFields maps the datamodel's columns onto the engine's fields.
func datamodelFields() map[string]Column {
	return map[string]Column{
		"id":           {Column: "ucr"},
		"date":         {Column: "arrival_time", Layout: "2006-01-02T15:04:05Z07:00"},
		"trader":       {Column: "importer_id", Optional: true},
		"origin":       {Column: "country_of_origin"},
		"dispatch":     {Column: "country_of_dispatch"},
		"routing":      {Column: "countries_of_routing", Optional: true},
		"hs":           {Column: "hs_code", Digits: 6},
		"mode":         {Column: "transport_mode"},
		"gross_weight": {Column: "gross_weight_kg"},
		"value":        {Column: "customs_value"},
		"aeo":          {Column: "aeo", Values: []string{"yes", "true"}},
		"lodgement":    {Column: "lodgement_time"},
		"arrival":      {Column: "arrival_time"},
	}
}

// datamodelColumns are further datamodel columns rules may test by name.
func datamodelColumns() map[string]Column {
	cols := map[string]Column{}
	for _, n := range []string{"consignor_id", "consignee_id", "importer_id", "exporter_id", "carrier_id",
		"declarant_id", "place_of_loading", "place_of_discharge", "currency", "conveyance_reference", "means_of_transport_id"} {
		cols[n] = Column{Column: n, Type: "text", Optional: true}
	}
	cols["packages"] = Column{Column: "packages", Type: "number", Optional: true}
	return cols
}

// DatamodelMapping is the mapping of pilotsim's own declarations CSV (the
// columns of package datamodel): the outcome is the irregular column (yes or
// true; empty, for a declaration not controlled, counts as regular and stays
// out of the history), the revenue duty_recovered, and the lane actually given is read from
// the control column (none: green, audit: blue, document: yellow, nii or
// physical: red).
func DatamodelMapping() *Mapping {
	m := &Mapping{Name: "datamodel", Path: "(pilotsim's own columns)", Fields: datamodelFields(), Columns: datamodelColumns(),
		Outcome: Outcome{
			Irregular: Column{Column: "irregular", Values: []string{"yes", "true"}},
			Revenue:   &Column{Column: "duty_recovered", Optional: true},
			Lane:      &Column{Column: "control", Optional: true, laneFromControls: true},
			Unknown:   "regular",
		}}
	if err := m.check(); err != nil {
		panic("backtest: the datamodel mapping is invalid: " + err.Error())
	}
	return m
}

// GeneratedMapping is the mapping of a file written by pilotsim generate: the
// datamodel columns (and new_trader, yes or no, when the file has it), the
// ground truth as the outcome (true_threat names the threat carried, empty
// when regular; true_duty is the duty at stake), each threat of threats as an
// outcome class, and the lane the simulator's risk engine gave (lane) to
// compare with.
func GeneratedMapping(threats []string) *Mapping {
	fields := datamodelFields()
	// The datamodel record has no new-trader flag; pilotsim generate writes
	// it in a new_trader column (yes or no), read into the flag that rules'
	// new_trader criteria test. Optional, so files written before the
	// column existed still read (their new_trader rules never fire).
	fields["new_trader"] = Column{Column: "new_trader", Values: []string{"yes", "true"}, Optional: true}
	m := &Mapping{Name: "generated", Path: "(pilotsim generate columns)", Fields: fields, Columns: datamodelColumns(),
		Outcome: Outcome{
			Irregular: Column{Column: "true_threat", AnyValue: true},
			Revenue:   &Column{Column: "true_duty"},
			Lane:      &Column{Column: "lane"},
			Classes:   map[string]Column{},
		}}
	for _, t := range threats {
		if len(m.Outcome.Classes) < maxClasses {
			m.Outcome.Classes[t] = Column{Column: "true_threat", Values: []string{t}}
		}
	}
	if err := m.check(); err != nil {
		panic("backtest: the generated mapping is invalid: " + err.Error())
	}
	return m
}

// DefaultMapping picks the built-in mapping for a file with this header:
// GeneratedMapping when it has pilotsim generate's ground-truth column
// true_threat, else DatamodelMapping.
func DefaultMapping(header []string, threats []string) *Mapping {
	if slices.Contains(header, "true_threat") {
		return GeneratedMapping(threats)
	}
	return DatamodelMapping()
}

// laneOfControls maps the datamodel's control column to a lane.
func laneOfControls(v string) (risk.Lane, bool) {
	switch {
	case v == "none":
		return risk.Green, true
	case strings.Contains(v, "nii") || strings.Contains(v, "physical"):
		return risk.Red, true
	case strings.Contains(v, "document"):
		return risk.Yellow, true
	case strings.Contains(v, "audit"):
		return risk.Blue, true
	}
	return 0, false
}
