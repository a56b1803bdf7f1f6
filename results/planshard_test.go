package results

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"

	"pilotsim/sim/pilot"
)

// TestPlanShardRoundTrip: a shard file reads back to the same estimates
// (NaN included), and a cut or padded file is an error that says so.
func TestPlanShardRoundTrip(t *testing.T) {
	cfg := PlanConfig{MaxWeeks: 2, Weeks: 1, PreWeeks: 4}
	var pes []*PilotEstimates
	for p := range 2 {
		pe := &PilotEstimates{}
		for d := range NumDesigns {
			for f := range pilot.NumFigures {
				pe.est[d][f] = [][2]planEst{{{1.5, 0.5, 9}, {float32(p), float32(math.NaN()), 3}}, {{2, 1, 10}, {0, 0, 0}}}
			}
		}
		for f := range pilot.NumFigures {
			pe.wseq[f] = [][2]planEst{{{1, 2, 3}, {4, 5, 6}}, {{7, 8, 9}, {10, 11, 12}}}
		}
		for f := range pilot.NumFigures {
			pe.truth[f], pe.mixed[f], pe.truth0[f], pe.base[f], pe.baseN[f] = float64(f), math.NaN(), -1, 3.25, 7
		}
		pes = append(pes, pe)
	}
	h := PlanShardHeader{Plan: "abc", Config: cfg, Pilots: 4, Shard: 1, Shards: 2}
	var b bytes.Buffer
	if err := WritePlanShard(&b, h, []int{1, 3}, pes); err != nil {
		t.Fatal(err)
	}
	got, ids, back, err := ReadPlanShard("s.bin", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got.Plan != "abc" || !reflect.DeepEqual(ids, []int{1, 3}) || len(back) != 2 {
		t.Fatalf("header %+v, pilots %v, %d estimates", got, ids, len(back))
	}
	same := func(a, b *PilotEstimates) bool {
		x, y := a.est[2][3][0][1], b.est[2][3][0][1]
		return x.eff == y.eff && math.IsNaN(float64(y.se)) && a.truth == b.truth && a.baseN == b.baseN && b.wseq[4][1][1].df == 12 && math.IsNaN(b.mixed[0])
	}
	if !same(pes[1], back[1]) {
		t.Errorf("pilot 3 read back as %+v", back[1])
	}
	data := b.Bytes()
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"cut", data[:len(data)-5], "cut short"},
		{"padded", append(append([]byte{}, data...), 0, 0), "bytes after the last pilot"},
		{"not a shard", []byte("{}\n"), "not a plan shard"},
	} {
		if _, _, _, err := ReadPlanShard("s.bin", c.data); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
	// Merging: shard 0 missing.
	if _, err := MergePlanShards([]*PlanShardHeader{got}, [][]int{ids}, [][]*PilotEstimates{back}); err == nil || !strings.Contains(err.Error(), "shard 0/2 is missing") {
		t.Errorf("merge without shard 0: %v", err)
	}
}
