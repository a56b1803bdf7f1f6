package replay

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestSchemaParents: each key shrinks towards the latest coarser key with the
// most parts.
func TestSchemaParents(t *testing.T) {
	keys, err := ParseKeys(DefaultKeys)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Schema(keys)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"hs:2": "", "hs:4": "hs:2", "hs": "hs:4", "hs+origin": "hs", "hs+tax_type": "hs",
		"hs+origin+dispatch+tax_type":                       "hs+tax_type",
		"hs+origin+dispatch+tax_type+tax_rate+gross_weight": "hs+origin+dispatch+tax_type",
		"origin": "", "importer": "", RulesKey: "",
	}
	for _, f := range s.Families {
		w, ok := want[f.Name]
		if !ok {
			continue
		}
		got := ""
		if f.Parent >= 0 {
			got = s.Families[f.Parent].Name
		}
		if got != w {
			t.Errorf("%s: parent %q, want %q", f.Name, got, w)
		}
	}
	for _, bad := range []string{"hs:0", "hs:x", "", "hs+"} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q): want an error", bad)
		}
	}
}

// TestKCSNovelty: the Korean test file has 1,288 rows whose goods tuple is in
// neither train nor valid, 273 of them fraud (21.2%); the exact look-up of
// the tuple's past rate scores about 0.99 precision at 5% on all rows (the
// copy effect) and no better than chance on the new ones.
func TestKCSNovelty(t *testing.T) {
	d := kcsData(t)
	var n, irr int
	for _, r := range d.Test {
		if r.New {
			n++
			if r.Irregular {
				irr++
			}
		}
	}
	if len(d.Test) != 8481 || n != 1288 || irr != 273 {
		t.Errorf("test rows %d, new %d, new fraud %d; want 8481, 1288, 273", len(d.Test), n, irr)
	}
	if len(d.Days)-1 != 91 {
		t.Errorf("%d days, want 91 (2021-04-01 to 2021-06-30)", len(d.Days)-1)
	}
	for _, r := range References(d, []float64{0.05}) {
		switch r.Name {
		case "exact-tuple look-up":
			if r.Precision < 0.98 || r.PrecisionNew > 0.3 {
				t.Errorf("look-up at 5%%: precision %.3f (want ≥ 0.98), on new rows %.3f (want ≤ 0.3)", r.Precision, r.PrecisionNew)
			}
		case "rules (every outcome, daily)":
			// The figures on new tuples: 0.34 at 5%.
			if math.Abs(r.PrecisionNew-0.344) > 0.005 {
				t.Errorf("rules with every outcome on new tuples at 5%%: %.3f, want 0.344", r.PrecisionNew)
			}
		case "rules (full history)":
			if r.Precision < 0.95 {
				t.Errorf("rules at 5%%: precision %.3f, want ≥ 0.95 (docs/backtest-korea.md: 97.6%% frozen)", r.Precision)
			}
		}
	}
}

// TestDutyKnownBeforeInspection: the duty a /value policy ranks by is known
// for every row (regular ones too: ranking by the outcome's revenue would
// leak the label), and equals backtest's revenue on the irregular rows.
func TestDutyKnownBeforeInspection(t *testing.T) {
	d := kcsData(t)
	regularWithDuty := 0
	for i, r := range d.Test {
		if r.Irregular && math.Abs(r.Duty-r.Revenue) > 1e-6*math.Max(1, r.Revenue) {
			t.Fatalf("row %d: duty %v, backtest's revenue %v", i, r.Duty, r.Revenue)
		}
		if !r.Irregular && r.Duty > 0 {
			regularWithDuty++
		}
	}
	// 4,081 of the 6,646 regular test rows have a tax rate above 0.
	if regularWithDuty != 4081 {
		t.Errorf("%d regular rows with a duty, want 4081", regularWithDuty)
	}
}

// TestHistoryLabels: per day, the rules' top 5% and 2% at random of the rest;
// the same draws for the same replication.
func TestHistoryLabels(t *testing.T) {
	d := kcsData(t)
	cfg := Config{Seed: 1}.WithDefaults()
	a, b, c := HistoryLabels(d, cfg, 0), HistoryLabels(d, cfg, 0), HistoryLabels(d, cfg, 1)
	var top, rnd, same int
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("same replication, different history")
		}
		switch {
		case a[i] == 1:
			top++
		case a[i] > 0:
			rnd++
		}
		if a[i] > 0 && c[i] > 0 {
			same++
		}
	}
	n := float64(len(d.History))
	if math.Abs(float64(top)/n-0.05) > 0.003 || math.Abs(float64(rnd)/n-0.02) > 0.003 {
		t.Errorf("history: top %d (%.4f), random %d (%.4f) of %v; want 5%% and 2%%", top, float64(top)/n, rnd, float64(rnd)/n, n)
	}
	if same >= top+rnd {
		t.Error("replications 0 and 1 drew the same random history")
	}
}

// TestStudyDeterministic: the results do not depend on the number of
// workers, and the model learns only the history's outcomes and those of
// inspections revealed before the last day.
func TestStudyDeterministic(t *testing.T) {
	d := kcsData(t)
	var pols []Policy
	for _, n := range []string{"rules", "learned+random", "thompson"} {
		p, err := ParsePolicy(n)
		if err != nil {
			t.Fatal(err)
		}
		pols = append(pols, p)
	}
	cfg := Config{Seed: 3, Bootstrap: 20}
	one, err := Study(context.Background(), d, pols, cfg, 2, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	two, err := Study(context.Background(), d, pols, cfg, 2, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(deref(one)) != fmt.Sprint(deref(two)) {
		t.Error("1 and 2 workers give different results")
	}
	r := one[1][0]
	// Labels of the last day (delay 1) are revealed after the replay.
	lastDay := float64(d.Days[len(d.Days)-1] - d.Days[len(d.Days)-2])
	wantLearned := r.HistoryLabels + int(r.Total.Inspected) - int(math.Round(0.1*lastDay))
	if r.Learned != wantLearned {
		t.Errorf("learned %d outcomes, want %d (history %d + inspections revealed in time)", r.Learned, wantLearned, r.HistoryLabels)
	}
	if r.Total.Inspected != math.Round(r.Total.Inspected) || math.Abs(r.Total.Inspected/r.Total.N-0.1) > 0.005 {
		t.Errorf("inspected %v of %v, want 10%% a day", r.Total.Inspected, r.Total.N)
	}
}

func deref(rs [][]*Result) [][]Result {
	out := make([][]Result, len(rs))
	for i, r := range rs {
		for _, x := range r {
			out[i] = append(out[i], *x)
		}
	}
	return out
}

// TestRulesKeyStartingHistory: the rules' score the learner reads (the
// RulesKey family) is the rules' on the history it starts from, never the
// full history's: Study's learned run equals Run given those scores and
// differs from Run given the full-history ones; no history row carries the
// key (history rows were scored with outcomes the learner never saw).
func TestRulesKeyStartingHistory(t *testing.T) {
	d := kcsData(t)
	if len(d.RulesFamilies) != 1 || d.Schema.Families[d.RulesFamilies[0]].Name != RulesKey {
		t.Fatalf("rules families %v: want the default keys to hold %q once", d.RulesFamilies, RulesKey)
	}
	fam := d.RulesFamilies[0]
	for i, r := range d.History {
		if r.F.Keys[fam] != 0 {
			t.Fatalf("history row %d carries a rules key", i)
		}
	}
	p, _ := ParsePolicy("learned")
	cfg := Config{Seed: 5, Bootstrap: 10}
	st, err := Study(context.Background(), d, []Policy{p}, cfg, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	scores, err := d.RuleScores(context.Background(), HistoryLabels(d, cfg, 0))
	if err != nil {
		t.Fatal(err)
	}
	own := Run(d, p.Policy, cfg, 0, scores)
	own.Policy = p.Name
	if fmt.Sprint(*own) != fmt.Sprint(*st[0][0]) {
		t.Error("Study's learned run differs from Run with the starting history's rule scores")
	}
	if full := Run(d, p.Policy, cfg, 0, nil); full.Total.Found == own.Total.Found && full.Total.FoundNew == own.Total.FoundNew {
		t.Error("the full-history rule scores change nothing: the rules key is not read")
	}
}

// TestRulesCross: RulesKey crosses with fields like any part: the cross
// shrinks towards the latest coarser key, its test rows hold the hash of
// the other parts (0 when one is missing) for Run to complete with the
// score, and its history rows hold nothing.
func TestRulesCross(t *testing.T) {
	keys, err := ParseKeys("hs:2,rules,hs:2+rules")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Schema(keys)
	if err != nil {
		t.Fatal(err)
	}
	if p := s.Families[2].Parent; p != 1 {
		t.Errorf("hs:2+rules: parent %d, want 1 (rules, the latest coarser key)", p)
	}
	rest, ok := keys[2].withoutRules()
	if !ok || rest.String() != "hs:2" || keys[2].String() != "hs:2+rules" {
		t.Errorf("withoutRules(hs:2+rules) = %q, %v; the key itself %q", rest.String(), ok, keys[2].String())
	}
	if _, ok := keys[0].withoutRules(); ok {
		t.Error("hs:2 has no rules part")
	}
	base := kcsData(t)
	d, err := Load(context.Background(), Options{Rules: base.opt.Rules, Mapping: base.opt.Mapping, Keys: keys, Novelty: base.Novelty},
		base.files[:len(base.files)-1], base.files[len(base.files)-1])
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(d.RulesFamilies) != "[1 2]" {
		t.Fatalf("rules families %v, want [1 2]", d.RulesFamilies)
	}
	for i, r := range d.History {
		if r.F.Keys[1] != 0 || r.F.Keys[2] != 0 {
			t.Fatalf("history row %d carries a rules key", i)
		}
	}
	hs2 := map[uint64]uint64{} // hs:2 key → the cross's partial hash
	for i, r := range d.Test {
		if r.F.Keys[1] != 1 {
			t.Fatalf("test row %d: rules alone holds %d, want 1", i, r.F.Keys[1])
		}
		if r.F.Keys[0] == 0 {
			continue
		}
		if p, ok := hs2[r.F.Keys[0]]; ok && p != r.F.Keys[2] {
			t.Fatalf("test row %d: one HS chapter, two partial hashes", i)
		}
		hs2[r.F.Keys[0]] = r.F.Keys[2]
	}
	if len(hs2) < 20 {
		t.Errorf("%d HS chapters in the test file, want many", len(hs2))
	}
}

// TestKeyOfFamilies: a key is its family's as well as its values': the same
// values under two families (origin and dispatch both CN; HS × origin and
// HS × dispatch of one HS code) give different keys, and the same family and
// values the same key. (keyOf once seeded its hash with Key(family) and then
// mixed the family in again, which cancelled it: every family's key of the
// same values collided, and the model shared their cells.)
func TestKeyOfFamilies(t *testing.T) {
	names := []string{"hs", "origin", "dispatch"}
	vals := []string{"0101210000", "CN", "CN"}
	key := func(s string) Key {
		k, err := ParseKey(s)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	seen := map[uint64]string{}
	for fam, s := range []string{"origin", "dispatch", "hs+origin", "hs+dispatch", "hs", "hs:4"} {
		k := keyOf(fam, key(s), names, vals)
		if k == 0 {
			t.Fatalf("%s: key 0 (missing) for present values", s)
		}
		if other, dup := seen[k]; dup {
			t.Errorf("%s and %s: the same key %x", s, other, k)
		}
		seen[k] = s
		if again := keyOf(fam, key(s), names, vals); again != k {
			t.Errorf("%s: %x then %x", s, k, again)
		}
	}
	if keyOf(0, key("origin"), names, []string{"x", "", "CN"}) != 0 {
		t.Error("an empty part: want the missing key 0")
	}
}

// TestClassDelays: an irregular row of a class with a delay of its own is
// known after that delay (the shortest of its classes'), every other row
// after the base delay; names are checked against the data's classes.
func TestClassDelays(t *testing.T) {
	cfg := Config{Delay: 1, ClassDelay: map[string]float64{"audit": 90, "critical": 0}}
	ld := cfg.delays([]string{"critical", "other", "audit"})
	for _, c := range []struct {
		name string
		row  Row
		want float64
	}{
		{"regular", Row{}, 1},
		{"regular, class bits set", Row{Classes: 0b101}, 1},
		{"irregular, no class", Row{Irregular: true}, 1},
		{"irregular, a class without a delay", Row{Irregular: true, Classes: 0b010}, 1},
		{"irregular, audited", Row{Irregular: true, Classes: 0b100}, 90},
		{"irregular, critical", Row{Irregular: true, Classes: 0b001}, 0},
		{"irregular, both", Row{Irregular: true, Classes: 0b101}, 0},
	} {
		if got := ld.of(&c.row); got != c.want {
			t.Errorf("%s: delay %v, want %v", c.name, got, c.want)
		}
	}
	if err := cfg.CheckClassDelays([]string{"critical", "audit"}); err != nil {
		t.Errorf("known classes: %v", err)
	}
	for _, c := range []struct {
		names []string
		delay map[string]float64
		want  string
	}{
		{[]string{"critical"}, map[string]float64{"audit": 1}, "want one of the mapping's outcome classes critical"},
		{nil, map[string]float64{"audit": 1}, "no outcome classes"},
		{[]string{"audit"}, map[string]float64{"audit": -1}, "want days >= 0"},
	} {
		err := Config{ClassDelay: c.delay}.CheckClassDelays(c.names)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v against %v: %v, want %q", c.delay, c.names, err, c.want)
		}
	}
}

// FuzzParseKeys: ParseKeys never panics, and a key it accepts names each
// field once, rules without :n, and builds a schema (or a clear error).
func FuzzParseKeys(f *testing.F) {
	for _, s := range []string{DefaultKeys, "hs:2,rules+rules", "rules:3", "hs+hs:4", "a+b,c:0", ",", "x:65"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := ParseKeys(s)
		if err != nil {
			return
		}
		for _, k := range keys {
			seen := map[string]bool{}
			for _, p := range k.Parts {
				if seen[p.Name] || (p.Name == RulesKey && p.N > 0) || p.Name == "" {
					t.Errorf("ParseKeys(%q) accepted %q", s, k)
				}
				seen[p.Name] = true
			}
		}
		_, _ = Schema(keys)
	})
}
