package scenarios

import (
	"slices"
	"strings"
)

// targeting checks the targeting, drift and displacement blocks.
func (v *validator) targeting(sc *Scenario) {
	threats := make(map[string]bool, len(sc.Threats))
	names := make([]string, 0, len(sc.Threats))
	for _, t := range sc.Threats {
		threats[t.Name] = true
		names = append(names, t.Name)
	}
	threatName := func(path, name string) {
		switch {
		case name == "":
			v.missing(path, "the name of a threat ("+strings.Join(names, ", ")+")")
		case !threats[name]:
			v.errf(path, "no threat %q; want one of %s", name, strings.Join(names, ", "))
		}
	}
	if tg := sc.Targeting; tg != nil {
		oneOf := func(path, got string, want []string) {
			if !slices.Contains(want, got) {
				v.errf(path, "unknown %q; want one of %s", got, strings.Join(want, ", "))
			}
		}
		// eachOnce checks that every item of list is one of want, once.
		eachOnce := func(path string, list, want []string, what string) {
			seen := map[string]bool{}
			for i, x := range list {
				p := indexPath(path, i)
				oneOf(p, x, want)
				if seen[x] {
					v.errf(p, "%s %q listed twice", what, x)
				}
				seen[x] = true
			}
		}
		if tg.Policy != "" {
			oneOf("targeting.policy", tg.Policy, TargetingPolicies)
		}
		eachOnce("targeting.policies", tg.Policies, TargetingPolicies, "policy")
		if v.has("targeting.policies") && len(tg.Policies) == 0 {
			v.errf("targeting.policies", "empty; want policy names, e.g. [rules, rules+random, oracle]")
		}
		if e := tg.Epsilon; e != nil && !(*e >= 0 && *e < 1) {
			v.errf("targeting.epsilon", "want a share of the budget in [0, 1), got %g", *e)
		}
		if r := tg.LearningRate; r != nil && !(*r >= 0 && *r <= 1) {
			v.errf("targeting.learning_rate", "want a step in [0, 1], e.g. 0.01 (0: weights fixed at 1), got %g", *r)
		}
		if v.has("targeting.update") && !(tg.Update >= 60 && tg.Update <= MaxHorizon) {
			v.errf("targeting.update", "want a period of at least 1h (and at most ten years), got %s", FormatDuration(float64(tg.Update)))
		}
		eachOnce("targeting.keys", tg.Keys, TargetingKeys, "key family")
		if v.has("targeting.keys") && len(tg.Keys) == 0 {
			v.errf("targeting.keys", "empty; want key families, e.g. [hs4, origin, hs4_origin]")
		}
		if tg.Lane != "" {
			oneOf("targeting.lane", tg.Lane, []string{"red", "yellow"})
		}
		if v.has("targeting.target_wait") && !(tg.TargetWait > 0 && tg.TargetWait <= MaxHorizon) {
			v.errf("targeting.target_wait", "want a wait > 0 (e.g. 2h), got %s", FormatDuration(float64(tg.TargetWait)))
		}
		if b := tg.Budget; b != nil && !(*b > 0 && *b <= 1) {
			v.errf("targeting.budget", "want a share of arrivals in (0, 1], got %g", *b)
		}
		for _, name := range sortedKeys(tg.AuditDelay) {
			path := joinPath("targeting.audit_delay", name)
			if !threats[name] {
				v.keyErrf(path, "no threat %q; want one of %s", name, strings.Join(names, ", "))
			}
			v.dist(path, tg.AuditDelay[name], true, true, "audit delay time")
		}
	} else {
		if len(sc.Drift) > 0 || len(sc.Displacement) > 0 {
			p := "drift"
			if len(sc.Drift) == 0 {
				p = "displacement"
			}
			v.errf(p, "drift and displacement need a targeting block (they change threats while a policy targets them)")
		}
	}
	last := map[string]Duration{}
	for i, d := range sc.Drift {
		p := indexPath("drift", i)
		threatName(p+".threat", d.Threat)
		switch {
		case !v.has(p + ".at"):
			v.missing(p+".at", "the simulated time the new signature starts, e.g. 20w or 140d")
		case !(d.At > 0 && d.At <= MaxHorizon):
			v.errf(p+".at", "want a time > 0 (a drift at or after the horizon never starts), got %s", FormatDuration(float64(d.At)))
		case d.At <= last[d.Threat] && last[d.Threat] > 0:
			v.errf(p+".at", "want a time after the threat's drift before it (%s), got %s", FormatDuration(float64(last[d.Threat])), FormatDuration(float64(d.At)))
		}
		last[d.Threat] = max(last[d.Threat], d.At)
		s := p + ".signature"
		sig := d.Signature
		v.ratioMap(s+".origin", sig.Origin, countryKey)
		v.ratioMap(s+".hs_chapter", sig.HSChapter, chapterKey)
		v.ratioMap(s+".hub", sig.Hub, countryKey)
		v.signatureEffect(s, sig, sc.Trade)
		v.signatureLeavesSome(s, sig, sc.Trade)
		if r := sig.RoutedRatio; r != nil && !(*r > 0 && *r <= MaxWeight) {
			v.errf(s+".routed_ratio", "want an odds ratio in (0, %g], got %g", MaxWeight, *r)
		}
		if r := sig.ValueFactor; r != nil && !(*r >= 1/MaxWeight && *r <= MaxWeight) {
			v.errf(s+".value_factor", "want a factor in [%g, %g], got %g", 1/MaxWeight, MaxWeight, *r)
		}
		if sig.NewTrader != nil {
			v.errf(s+".new_trader", "a drift may not change new_trader: it would change which consignments are irregular; drift changes only the features of the threat's cases")
		}
	}
	for i, d := range sc.Displacement {
		p := indexPath("displacement", i)
		threatName(p+".threat", d.Threat)
		switch {
		case !v.has(p + ".elasticity"):
			v.missing(p+".elasticity", "how strongly the threat moves away from what is inspected, > 0, e.g. 1")
		case !(d.Elasticity > 0 && d.Elasticity <= 10):
			v.errf(p+".elasticity", "want an elasticity in (0, 10], got %g", d.Elasticity)
		}
		seen := map[string]bool{}
		for j, o := range d.Over {
			path := indexPath(p+".over", j)
			if o != "origin" && o != "hs_chapter" {
				v.errf(path, "unknown %q; want origin or hs_chapter", o)
			}
			if seen[o] {
				v.errf(path, "%q listed twice", o)
			}
			seen[o] = true
		}
		if v.has(p+".over") && len(d.Over) == 0 {
			v.errf(p+".over", "empty; want [origin], [hs_chapter] or both")
		}
		if v.has(p+".period") && !(d.Period >= 24*60 && d.Period <= MaxHorizon) {
			v.errf(p+".period", "want a period of at least 1d, got %s", FormatDuration(float64(d.Period)))
		}
	}
}

// applyTargetingDefaults fills in what the targeting, drift and
// displacement blocks left out.
func applyTargetingDefaults(sc *Scenario, has func(string) bool) {
	if tg := sc.Targeting; tg != nil {
		if tg.Policy == "" {
			tg.Policy = "rules"
		}
		if tg.Policies == nil && !has("targeting.policies") {
			tg.Policies = append([]string(nil), TargetingPolicies...)
		}
		if tg.Epsilon == nil {
			tg.Epsilon = ptr(DefaultEpsilon)
		}
		if !has("targeting.update") {
			tg.Update = DefaultUpdate
		}
		if tg.Keys == nil && !has("targeting.keys") {
			tg.Keys = append([]string(nil), TargetingKeys...)
		}
		if tg.Lane == "" {
			tg.Lane = "red"
		}
		if !has("targeting.target_wait") {
			tg.TargetWait = DefaultTargetWait
		}
	}
	for i := range sc.Displacement {
		d := &sc.Displacement[i]
		if d.Over == nil && !has(indexPath("displacement", i)+".over") {
			d.Over = []string{"origin", "hs_chapter"}
		}
		if !has(indexPath("displacement", i) + ".period") {
			d.Period = DefaultDisplace
		}
	}
}
