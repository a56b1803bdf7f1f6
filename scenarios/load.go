package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"pilotsim/internal/safefile"
)

// maxRules is the most rules a scenario may hold: sim.MaxRules, the size of
// the engine's rule bitset (scenarios must not import sim, so it is repeated
// here; sim checks they agree).
const maxRules = 128

// maxRouteStages is the most pools a lane's route may visit: sim.MaxStages,
// the size of the border's per-consignment milestone arrays (repeated here for
// the same reason; sim checks they agree).
const maxRouteStages = 6

// maxThreats is the most threats a scenario may hold: sim.MaxThreats, as the
// engine keeps a consignment's threat in an int8 (repeated here for the same
// reason; sim checks they agree).
const maxThreats = 127

// maxPools is the most resource pools a scenario may hold: sim.MaxPools, as
// the border keeps pool indices in int8 (repeated here for the same reason;
// sim checks they agree).
const maxPools = 127

// Load reads the scenario file at path, applies the --set overrides in sets
// ("path=value" each), decodes it strictly, applies defaults and validates it.
//
// On bad input the error is a *ErrorList holding every problem found, each with
// file, line, column, field path and what was expected. After Load returns
// without error the scenario is valid: every code parses, every Dist gives a
// Sampler, and the defaults documented in format.go are filled in.
func Load(path string, sets []string) (*Scenario, error) {
	data, err := safefile.ReadRegular(path, MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(path, data, sets)
}

// Parse is Load for a scenario held in memory; name is used in error messages
// and as Scenario.Path.
func Parse(name string, data []byte, sets []string) (*Scenario, error) {
	return parse(name, data, sets, false)
}

// LoadRules reads a rules file: a file holding rules and selectivity (and
// optionally name and description), as backtest uses it. A whole scenario is
// accepted too. Sections that are present are checked as in Load; the
// sections a simulation needs (traffic, traders, trade, resources, horizon)
// may be missing. A rules file without a name is named after its file.
func LoadRules(path string, sets []string) (*Scenario, error) {
	data, err := safefile.ReadRegular(path, MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return ParseRules(path, data, sets)
}

// ParseRules is LoadRules for a file held in memory.
func ParseRules(name string, data []byte, sets []string) (*Scenario, error) {
	return parse(name, data, sets, true)
}

func parse(name string, data []byte, sets []string, rulesOnly bool) (*Scenario, error) {
	d := newDecoder(name)
	root := d.parseYAML(data)
	if root == nil {
		return nil, d.result()
	}
	d.applySets(root, sets)
	phaseSets := takePhaseSets(root)
	sc := new(Scenario)
	d.decode(root, reflect.ValueOf(sc).Elem(), "", false)
	if root.Kind != yaml.MappingNode || d.over {
		// Not a scenario at all: listing every missing section would bury
		// the one message that matters.
		return nil, d.result()
	}
	sc.Path = name
	sc.WarmupAuto = d.warmupAuto
	if rulesOnly && sc.Name == "" && !d.has("name") {
		base := filepath.Base(name)
		sc.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	fillLines(d, sc)
	applyDefaults(sc, d.has)
	d.decodeErrs = len(d.errs)
	v := &validator{d: d, rulesOnly: rulesOnly}
	v.scenario(sc)
	if len(d.errs) == 0 && !rulesOnly {
		d.phases(sc, root, phaseSets)
	}
	if err := d.result(); err != nil {
		return nil, err
	}
	return sc, nil
}

// fillLines records the lines of the list elements that keep them.
func fillLines(d *decoder, sc *Scenario) {
	for i := range sc.Threats {
		sc.Threats[i].Line = d.pos[indexPath("threats", i)].line
	}
	for i := range sc.Rules {
		p := indexPath("rules", i)
		sc.Rules[i].Line = d.pos[p].line
		sc.Rules[i].Set = d.pos[p+".expr"].set
	}
	for i := range sc.Resources.Pools {
		sc.Resources.Pools[i].Line = d.pos[indexPath("resources.pools", i)].line
	}
	for i := range sc.Drift {
		sc.Drift[i].Line = d.pos[indexPath("drift", i)].line
	}
	for i := range sc.Displacement {
		sc.Displacement[i].Line = d.pos[indexPath("displacement", i)].line
	}
	if sc.Sites != nil {
		for i := range sc.Sites.Offices {
			o := &sc.Sites.Offices[i]
			o.Line = d.pos[indexPath("sites.offices", i)].line
			if !d.has(indexPath("sites.offices", i) + ".scale") {
				o.Scale = 1
			}
		}
	}
}

// result returns the problems found as a *ErrorList, or nil.
func (d *decoder) result() error {
	if len(d.errs) == 0 {
		return nil
	}
	d.errs.sort()
	l := d.errs
	return &l
}

// parseYAML parses data into a node tree and returns its root, a mapping node
// (an empty document gives an empty mapping); nil after a syntax error.
func (d *decoder) parseYAML(data []byte) *yaml.Node {
	if line, col, msg, bad := textProblem(data); bad {
		d.add(position{line: line, col: col}, "", "%s", msg)
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	err := dec.Decode(&doc)
	if errors.Is(err, io.EOF) {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1, Column: 1}
	}
	if err != nil {
		d.syntax(data, err)
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		d.add(position{line: next.Line, col: next.Column}, "", "a scenario file holds one YAML document; found a second one (---)")
		return nil
	case !errors.Is(err, io.EOF):
		d.syntax(data, err)
		return nil
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 1, Column: 1}
	}
	root := doc.Content[0]
	if isNull(root) {
		root.Kind, root.Tag = yaml.MappingNode, "!!map"
	}
	return root
}

// syntax records a YAML syntax error in words, with its line and column.
func (d *decoder) syntax(data []byte, err error) {
	p := explainYAML(data, err.Error())
	d.add(position{line: p.line, col: p.col}, "", "%s", p.msg)
}

// Default values, as documented in format.go.
const (
	DefaultReplications = 10
	DefaultCurrency     = "USD"
	DefaultOverall      = Duration(48 * 60)      // targets.overall: 48h
	DefaultDrain        = Duration(14 * 24 * 60) // drain: 14d
)

// DefaultGrossWeight is trade.gross_weight when absent: lognormal with median
// 5000 kg and sigma 1.
func DefaultGrossWeight() Dist {
	return Dist{Kind: "lognormal", Median: ptr(5000.0), Sigma: ptr(1.0)}
}

// constZero is the default of lodgement_lead and assessment.
func constZero() Dist { return Dist{Kind: "const", Value: ptr(0.0)} }

func ptr[T any](v T) *T { return &v }

// weekDays are the day names of Hours.Days, Monday first.
var weekDays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// applyDefaults fills in what the file left out; has reports whether a field
// path was written.
func applyDefaults(sc *Scenario, has func(string) bool) {
	if !has("replications") {
		sc.Replications = DefaultReplications
	}
	if sc.Drain == nil {
		sc.Drain = ptr(DefaultDrain)
	}
	for mode, mt := range sc.Traffic {
		if !has("traffic." + mode + ".lodgement_lead") {
			mt.LodgementLead = constZero()
			sc.Traffic[mode] = mt
		}
	}
	if sc.Traders.AEOPrevalenceFactor == nil {
		sc.Traders.AEOPrevalenceFactor = ptr(1.0)
	}
	if !has("trade.gross_weight") {
		sc.Trade.Weight = DefaultGrossWeight()
	}
	if sc.Trade.Currency == "" {
		sc.Trade.Currency = DefaultCurrency
	}
	for i := range sc.Threats {
		sig := &sc.Threats[i].Signature
		for _, p := range []**float64{&sig.RoutedRatio, &sig.ValueFactor, &sig.NewTrader} {
			if *p == nil {
				*p = ptr(1.0)
			}
		}
	}
	if mh := sc.Selectivity.MaxHits; mh != nil && mh.Lane == "" {
		mh.Lane = "red"
	}
	if !has("selectivity.assessment") {
		sc.Selectivity.Assessment = constZero()
	}
	r := &sc.Resources
	if r.Yellow == nil && !has("resources.yellow") {
		r.Yellow = []string{"document"}
	}
	if r.Red == nil && !has("resources.red") {
		r.Red = []string{"nii", "physical"}
	}
	if r.RedPhysicalOnAlarm == nil {
		r.RedPhysicalOnAlarm = ptr(true)
	}
	for i := range r.Pools {
		p := &r.Pools[i]
		if p.Method == "" {
			p.Method = p.Name
		}
		if p.Hours != nil && p.Hours.Days == nil && !has(indexPath("resources.pools", i)+".hours.days") {
			p.Hours.Days = append([]string(nil), weekDays...)
		}
	}
	if !has("targets.overall") {
		sc.Targets.Overall = DefaultOverall
	}
	applyTargetingDefaults(sc, has)
}
