package pilot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"pilotsim/scenarios"
)

// MixedScenario returns the baseline with the measure as a phase from at
// (minutes) on that applies to a random share of the consignments: a random
// stratum inside one run, whose treated and control consignments share the
// queues. The measure may differ from the baseline only in what a phase can
// change (scenarios.PhasePaths) and in pools of its own, which are added to
// the baseline unused (its routes do not visit them).
func MixedScenario(base, measure *scenarios.Scenario, at, share float64) (*scenarios.Scenario, error) {
	b, m := *base, *measure
	b.Resources.Pools = slices.Clone(base.Resources.Pools)
	has := map[string]bool{}
	for _, p := range b.Resources.Pools {
		has[p.Name] = true
	}
	byName := map[string]scenarios.Pool{}
	for _, p := range measure.Resources.Pools {
		byName[p.Name] = p
		if !has[p.Name] {
			b.Resources.Pools = append(b.Resources.Pools, p)
		}
	}
	m.Resources.Pools = nil
	for _, p := range b.Resources.Pools {
		if q, ok := byName[p.Name]; ok {
			p = q
		}
		m.Resources.Pools = append(m.Resources.Pools, p)
	}
	if what := phaseDiff(&b, &m); what != "" {
		return nil, fmt.Errorf("the measure changes %s, which cannot change within one run", what)
	}
	m.Phases, b.Sites, m.Sites = nil, nil, nil
	b.Phases = []scenarios.Phase{{At: scenarios.Duration(at), Share: share, Scenario: &m}}
	return &b, nil
}

// phaseDiff names the first part of the scenario that differs between a and
// b outside what a phase may change ("" when none).
func phaseDiff(a, b *scenarios.Scenario) string {
	strip := func(s *scenarios.Scenario) scenarios.Scenario {
		c := *s
		c.Name, c.Description, c.Path, c.Sites, c.Phases, c.Costs = "", "", "", nil, nil, nil
		c.Rules, c.Selectivity = nil, scenarios.Selectivity{}
		c.Resources = scenarios.Resources{}
		for _, p := range s.Resources.Pools {
			p.Servers, p.Service, p.FalseAlarm, p.Line = 0, scenarios.Dist{}, 0, 0
			c.Resources.Pools = append(c.Resources.Pools, p)
		}
		c.Threats = nil
		for _, t := range s.Threats {
			t.Detection, t.Line = scenarios.Detection{}, 0
			c.Threats = append(c.Threats, t)
		}
		c.Traffic = map[string]scenarios.ModeTraffic{}
		for k, t := range s.Traffic {
			t.LodgementLead = scenarios.Dist{}
			c.Traffic[k] = t
		}
		return c
	}
	x, y := strip(a), strip(b)
	v, w := reflect.ValueOf(x), reflect.ValueOf(y)
	for i := range v.NumField() {
		if !reflect.DeepEqual(v.Field(i).Interface(), w.Field(i).Interface()) {
			name := v.Type().Field(i).Tag.Get("yaml")
			if name == "" || name == "-" {
				name = v.Type().Field(i).Name
			}
			return name
		}
	}
	return ""
}

// SharesQueues reports whether a random stratum of the measure would share
// queues with its control half in a way that matters: whether the measure
// differs from the baseline at all (names, descriptions and line numbers
// aside). Any change — resources, routes, rules, selectivity, detection,
// lodgement times — changes when and how often consignments reach the
// pools that both halves use.
func SharesQueues(base, measure *scenarios.Scenario) bool {
	norm := func(s *scenarios.Scenario) []byte {
		c, err := s.Clone()
		if err != nil {
			return nil
		}
		c.Name, c.Description, c.Path, c.Seed, c.Replications = "", "", "", 0, 0
		for i := range c.Rules {
			c.Rules[i].Line = 0
		}
		for i := range c.Threats {
			c.Threats[i].Line = 0
		}
		for i := range c.Resources.Pools {
			c.Resources.Pools[i].Line = 0
		}
		c.Sites, c.Phases, c.Costs = nil, nil, nil // costs change no queue
		b, _ := json.Marshal(c)
		return b
	}
	a, b := norm(base), norm(measure)
	return a == nil || b == nil || !bytes.Equal(a, b)
}
