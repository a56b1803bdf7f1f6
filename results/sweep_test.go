package results

import (
	"slices"
	"strings"
	"testing"
)

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string // nil: an error
		why  string
	}{
		{"40:80:10", []string{"40", "50", "60", "70", "80"}, "integers, both ends included"},
		{"0:0.3:0.1", []string{"0.0", "0.1", "0.2", "0.3"}, "float steps land on the end and print cleanly"},
		{"0.01:0.05:0.02", []string{"0.01", "0.03", "0.05"}, "decimals of the most precise number"},
		{"1:10:4", []string{"1", "5", "9"}, "the end is not reached exactly"},
		{"5:1:-2", []string{"5", "3", "1"}, "downwards"},
		{"3:3:1", []string{"3"}, "one value"},
		{"10m:30m:10m", []string{"10m", "20m", "30m"}, "durations keep their unit"},
		{"-0.2:0.2:0.2", []string{"-0.2", "0.0", "0.2"}, "no negative zero"},
		{"1:2", nil, "two parts"},
		{"1:5:0", nil, "zero step"},
		{"5:1:1", nil, "step away from the end"},
		{"a:2:1", nil, "not a number"},
		{"1m:2h:1m", nil, "mixed units"},
		{"0:1:0.00001", nil, "too many values"},
	} {
		got, err := ParseRange(tc.in)
		if tc.want == nil {
			if err == nil {
				t.Errorf("%s: ParseRange(%q) = %v, want an error", tc.why, tc.in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: ParseRange(%q) = %v, %v; want %v", tc.why, tc.in, got, err, tc.want)
		}
	}
}

func TestParseValues(t *testing.T) {
	got, err := ParseValues("40, 50,60 ")
	if err != nil || !slices.Equal(got, []string{"40", "50", "60"}) {
		t.Errorf("ParseValues = %v, %v", got, err)
	}
	for _, bad := range []string{"", "1,,2", "1,2,1"} {
		if _, err := ParseValues(bad); err == nil {
			t.Errorf("ParseValues(%q): no error", bad)
		}
	}
}

func TestGrid(t *testing.T) {
	points, err := Grid([]SweepParam{
		{Path: "selectivity.red", Values: []string{"40", "60"}},
		{Path: "resources.pools.nii.servers", Values: []string{"2", "3", "4"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, p := range points {
		if p.Index != i {
			t.Errorf("point %d has index %d", i, p.Index)
		}
		got = append(got, p.Name())
	}
	want := []string{
		"selectivity.red=40, resources.pools.nii.servers=2",
		"selectivity.red=40, resources.pools.nii.servers=3",
		"selectivity.red=40, resources.pools.nii.servers=4",
		"selectivity.red=60, resources.pools.nii.servers=2",
		"selectivity.red=60, resources.pools.nii.servers=3",
		"selectivity.red=60, resources.pools.nii.servers=4",
	}
	if !slices.Equal(got, want) {
		t.Errorf("grid:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if points[4].Label() != "60, 3" {
		t.Errorf("label %q, want \"60, 3\"", points[4].Label())
	}
	for _, bad := range [][]SweepParam{
		nil,
		{{Path: "a", Values: []string{"1"}}, {Path: "a", Values: []string{"2"}}},
		{{Path: "a"}},
		{{Path: "", Values: []string{"1"}}},
	} {
		if _, err := Grid(bad); err == nil {
			t.Errorf("Grid(%v): no error", bad)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"40:80:10", "0:0.3:0.1", "10m:30m:5m", "5:1:-2", "1e3:2e3:1e2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		vals, err := ParseRange(s)
		if err != nil {
			return
		}
		if len(vals) == 0 || len(vals) > MaxGridPoints {
			t.Fatalf("ParseRange(%q) gave %d values", s, len(vals))
		}
	})
}
