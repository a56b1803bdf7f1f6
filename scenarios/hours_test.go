package scenarios

import (
	"os"
	"strings"
	"testing"
)

// TestHoursNightShift checks opening hours as the validator reads them: a
// close before the open is a shift over midnight and loads as written, close
// 0h is midnight, and open == close is refused as ambiguous.
func TestHoursNightShift(t *testing.T) {
	data, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const pool = "    - {name: physical, servers: 2, service: {dist: exp, mean: 2h}}"
	for _, tc := range []struct {
		hours       string
		open, close Duration
		days        int
		err         string // "" when it loads
	}{
		{"{open: 22h, close: 6h, days: [mon, tue, wed, thu, fri]}", 22 * 60, 6 * 60, 5, ""},
		{"{open: 22h, close: 0h}", 22 * 60, 0, 7, ""},
		{"{open: 0h, close: 24h}", 0, 24 * 60, 7, ""},
		{"{open: 8h, close: 18h}", 8 * 60, 18 * 60, 7, ""},
		{"{open: 8h, close: 8h}", 0, 0, 0, "hours.yaml:23:93: resources.pools[2].hours.close: closing equals opening (8h), which is ambiguous"},
		{"{open: 0h, close: 0h}", 0, 0, 0, "closing equals opening (0m)"},
		{"{open: 22h, close: 25h}", 0, 0, 0, "resources.pools[2].hours.close: want a time of day from 0h to 24h, got 1d1h"},
		{"{open: 24h, close: 6h}", 0, 0, 0, "resources.pools[2].hours.open: want a time of day from 0h to 24h, got 1d"},
	} {
		src := strings.Replace(string(data), pool, strings.TrimSuffix(pool, "}")+", hours: "+tc.hours+"}", 1)
		sc, err := Parse("hours.yaml", []byte(src), nil)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: got error %v, want %q", tc.hours, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.hours, err)
			continue
		}
		h := sc.Resources.Pools[2].Hours
		if h.Open != tc.open || h.Close != tc.close || len(h.Days) != tc.days {
			t.Errorf("%s: got %+v, want open %v close %v and %d days", tc.hours, *h, tc.open, tc.close, tc.days)
		}
	}
}
