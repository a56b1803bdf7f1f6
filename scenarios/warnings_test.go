package scenarios

import (
	"strings"
	"testing"
)

// TestWarningsWholeWeeks: a scenario with a weekly pattern (traffic weights or
// a pool closed on some days) warns when its warm-up or its statistics window
// is not a whole number of weeks; one without a weekly pattern never does.
func TestWarningsWholeWeeks(t *testing.T) {
	const day = 24 * 60
	weekly := ModeTraffic{Rate: 10, Weekly: []float64{1.1, 1.1, 1.1, 1.1, 1.1, 0.8, 0.7}}
	flat := ModeTraffic{Rate: 10, Weekly: []float64{1, 1, 1, 1, 1, 1, 1}}
	closedSunday := Pool{Name: "physical", Hours: &Hours{Open: 7 * 60, Close: 19 * 60, Days: []string{"mon", "tue", "wed", "thu", "fri", "sat"}}}
	everyDay := Pool{Name: "physical", Hours: &Hours{Open: 7 * 60, Close: 19 * 60}}
	for _, tc := range []struct {
		why                        string
		traffic                    ModeTraffic
		pool                       Pool
		warmup, horizon, windowEnd float64  // days
		want                       []string // one substring per warning, in order
	}{
		{"seaport's old window: 25 days after 3", weekly, everyDay, 3, 28, 0, []string{"warmup: 3d", "horizon: the statistics window (horizon − warmup = 25d)", "make it 31d"}},
		{"whole weeks", weekly, closedSunday, 7, 35, 0, nil},
		{"no warm-up, whole weeks", weekly, everyDay, 0, 28, 0, nil},
		{"warm-up of whole weeks, window not", weekly, everyDay, 7, 30, 0, []string{"horizon: the statistics window (horizon − warmup = 23d)"}},
		{"pool closed on Sunday", flat, closedSunday, 7, 30, 0, []string{"resources.pools[0] (physical) is open on 6 days"}},
		{"window_end decides the window", weekly, everyDay, 7, 40, 21, nil},
		{"window_end not whole weeks", weekly, everyDay, 7, 40, 20, []string{"window_end: the statistics window (window_end − warmup = 13d)"}},
		{"no weekly pattern: any window", flat, everyDay, 3, 28, 0, nil},
	} {
		t.Run(tc.why, func(t *testing.T) {
			sc := &Scenario{
				Warmup: Duration(tc.warmup * day), Horizon: Duration(tc.horizon * day), WindowEnd: Duration(tc.windowEnd * day),
				Traffic:   map[string]ModeTraffic{"sea": tc.traffic},
				Resources: Resources{Pools: []Pool{tc.pool}},
			}
			got := sc.Warnings()
			if len(tc.want) == 0 && len(got) > 0 {
				t.Fatalf("warnings %q, want none", got)
			}
			joined := strings.Join(got, "\n")
			for _, w := range tc.want {
				if !strings.Contains(joined, w) {
					t.Errorf("warnings %q lack %q", got, w)
				}
			}
		})
	}
}
