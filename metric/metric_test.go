package metric

import (
	"encoding/json"
	"testing"
)

// TestName pins the flat names files carry: one rule for every family.
func TestName(t *testing.T) {
	for _, tc := range []struct {
		key  Key
		want string
	}{
		{Key{Family: Consignments}, "consignments"},
		{Key{Family: Lane, Subject: "red", Stat: Of}, "lane.red.share"},
		{Key{Family: Lane, Subject: "red", Part: "random", Stat: N}, "lane.red.random.count"},
		{Key{Family: Share, Subject: "aeo"}, "share.aeo"},
		{Key{Family: Hit}, "hit_rate"},
		{Key{Family: Hit, Subject: "yellow"}, "hit_rate.yellow"},
		{Key{Family: Irregular, Stat: N}, "irregular.count"},
		{Key{Family: Detection, Subject: "narcotics"}, "detection_rate.narcotics"},
		{Key{Family: Duty, Stat: AtStake}, "duty.at_stake"},
		{Key{Family: Release, Subject: "all", Stat: P90}, "release.all.p90"},
		{Key{Family: Release, Subject: "green", Stat: Within, Within: 15}, "release.green.within.15m"},
		{Key{Family: Release, Subject: "all", Stat: Within, Within: 90}, "release.all.within.90m"},
		{Key{Family: Release, Subject: "red", Stat: Within, Within: 120 * 60}, "release.red.within.120h"},
		{Key{Family: Release, Subject: "post_arrival", Stat: WithinTarget}, "release.post_arrival.within_target"},
		{Key{Family: TRS, Subject: "arrival_lodgement", Stat: Mean}, "trs.arrival_lodgement.mean"},
		{Key{Family: TRS, Subject: "document", Part: "wait", Stat: Mean}, "trs.document.wait.mean"},
		{Key{Family: Pool, Subject: "nii", Stat: OvertimePerDay}, "pool.nii.overtime_per_day"},
		{Key{Family: InSystem, Stat: MeanAge}, "in_system.mean_age"},
		{Key{Family: Unreleased, Stat: Of}, "unreleased.share"},
		{Key{Family: Drain, Stat: Length}, "drain.hours"},
		{Key{Family: Warmup, Stat: MSER}, "warmup.mser_hours"},
		{Key{Family: Pool, Subject: "physical", Stat: OfferedLoad}, "pool.physical.offered_load"},
		{Key{Family: Backlog, Stat: TrendT}, "backlog.trend_t"},
		{Key{Family: Unstable}, "unstable"},
	} {
		if got := tc.key.Name(); got != tc.want {
			t.Errorf("%+v: Name() = %q, want %q", tc.key, got, tc.want)
		}
	}
}

// TestDefJSON checks that a definition survives a shard file: what JSON
// carries reads back to the same comparable value.
func TestDefJSON(t *testing.T) {
	d := Def{Key: Key{Family: Release, Subject: "red", Stat: Within, Within: 24 * 60}, Of: OfLane, Unit: Fraction,
		Num: "released within 24 h", Den: "released", Counted: true, Help: "h"}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Def
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != d {
		t.Errorf("read back %+v, want %+v (JSON %s)", back, d, b)
	}
}
