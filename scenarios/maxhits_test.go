package scenarios

import (
	"os"
	"strings"
	"testing"
)

// minimalWith returns testdata/minimal.yaml (one rule, R1) with its
// selectivity line (line 18) replaced by sel.
func minimalWith(t *testing.T, sel string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const line = "selectivity: {red: 60}\n"
	if !strings.Contains(string(data), line) {
		t.Fatalf("minimal.yaml has no line %q", line)
	}
	return []byte(strings.Replace(string(data), line, sel+"\n", 1))
}

// TestMaxHitsValid checks that selectivity.max_hits decodes, that its lane
// defaults to red, and that it stays off when absent.
func TestMaxHitsValid(t *testing.T) {
	for _, tc := range []struct {
		why   string
		sel   string
		sets  []string
		count int
		lane  string // "" = MaxHits nil
	}{
		{"absent: off", "selectivity: {red: 60}", nil, 0, ""},
		{"lane defaults to red", "selectivity: {red: 60, max_hits: {count: 1}}", nil, 1, "red"},
		{"lane yellow", "selectivity: {red: 60, max_hits: {count: 1, lane: yellow}}", nil, 1, "yellow"},
		{"given with --set", "selectivity: {red: 60}", []string{"selectivity.max_hits={count: 1}"}, 1, "red"},
		{"lane given with --set", "selectivity: {red: 60, max_hits: {count: 1}}", []string{"selectivity.max_hits.lane=yellow"}, 1, "yellow"},
	} {
		sc, err := Parse("m.yaml", minimalWith(t, tc.sel), tc.sets)
		if err != nil {
			t.Errorf("%s: %v", tc.why, err)
			continue
		}
		mh := sc.Selectivity.MaxHits
		switch {
		case tc.lane == "" && mh != nil:
			t.Errorf("%s: max_hits %+v, want none", tc.why, *mh)
		case tc.lane != "" && (mh == nil || mh.Count != tc.count || mh.Lane != tc.lane):
			t.Errorf("%s: max_hits %+v, want {%d %s}", tc.why, mh, tc.count, tc.lane)
		}
	}
}

// TestMaxHitsErrors checks each mistake in selectivity.max_hits: reported
// with its line and column (or --set path), the field and what was
// expected. minimal.yaml has one rule, so a count above 1 is too many.
func TestMaxHitsErrors(t *testing.T) {
	for _, tc := range []struct {
		why  string
		sel  string
		sets []string
		want string
	}{
		{"count 0", "selectivity: {red: 60, max_hits: {count: 0}}", nil,
			"m.yaml:18:42: selectivity.max_hits.count: want a count of rules hit >= 1, got 0"},
		{"count negative", "selectivity:\n  max_hits: {count: -2, lane: red}", nil,
			"m.yaml:19:21: selectivity.max_hits.count: want a count of rules hit >= 1, got -2"},
		{"count above the number of rules", "selectivity: {red: 60, max_hits: {count: 2}}", nil,
			"m.yaml:18:42: selectivity.max_hits.count: want at most the number of rules (1), got 2: no consignment could hit that many"},
		{"count missing", "selectivity: {red: 60, max_hits: {lane: yellow}}", nil,
			"m.yaml:18:34: selectivity.max_hits.count: missing; want the number of rules hit that forces selection, e.g. {count: 3}"},
		{"lane green", "selectivity:\n  max_hits:\n    count: 1\n    lane: green", nil,
			"m.yaml:21:11: selectivity.max_hits.lane: want red or yellow, got \"green\""},
		{"lane blue", "selectivity: {max_hits: {count: 1, lane: blue}}", nil,
			"m.yaml:18:42: selectivity.max_hits.lane: want red or yellow, got \"blue\""},
		{"count not a number", "selectivity: {max_hits: {count: many}}", nil,
			"m.yaml:18:33: selectivity.max_hits.count: want a whole number, got \"many\""},
		{"unknown field", "selectivity: {max_hits: {count: 1, color: red}}", nil,
			"m.yaml:18:36: selectivity.max_hits.color: unknown field \"color\" (want one of count, lane)"},
		{"bad lane by --set", "selectivity: {red: 60}", []string{"selectivity.max_hits={count: 1, lane: purple}"},
			"m.yaml: --set selectivity.max_hits: selectivity.max_hits.lane: want red or yellow, got \"purple\""},
	} {
		_, err := Parse("m.yaml", minimalWith(t, tc.sel), tc.sets)
		if err == nil {
			t.Errorf("%s: no error, want %s", tc.why, tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.why, err, tc.want)
		}
	}
}
