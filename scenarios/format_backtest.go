package scenarios

// This file adds to the criteria what rules for real declarations need
// (pilotsim backtest): tests on any column of a mapped declarations file and
// on a key's past irregularity. They have no meaning for a simulated
// consignment: the simulator's Compile rejects rules that use them, and
// pilotsim backtest resolves them against its column mapping.

// FieldCriteria tests one column of a mapped declarations file, named as in
// the mapping: a text value in a list or starting with a prefix (either
// suffices), or a number in [Min, Max).
type FieldCriteria struct {
	Name   string   `yaml:"name"`
	In     []string `yaml:"in"`
	Prefix []string `yaml:"prefix"`
	Min    *float64 `yaml:"min"`
	Max    *float64 `yaml:"max"`
}

// HistoryCriteria tests what is known of earlier declarations with the same
// key (the same importer, or the same HS code and origin …): only declarations
// dated strictly before the one being scored count. Count is their number,
// irregular how many were found irregular, rate = irregular / count.
type HistoryCriteria struct {
	// Key names the mapped fields the history is kept per; a part "hs:4" keeps
	// the first 4 characters of the value.
	Key          []string `yaml:"key"`
	MinCount     *int     `yaml:"min_count"`     // count >= MinCount (default 1 when a rate bound is given)
	MaxCount     *int     `yaml:"max_count"`     // count <= MaxCount (0: never seen before)
	MinIrregular *int     `yaml:"min_irregular"` // irregular >= MinIrregular
	MinRate      *float64 `yaml:"min_rate"`      // rate >= MinRate
	MaxRate      *float64 `yaml:"max_rate"`      // rate < MaxRate
}
