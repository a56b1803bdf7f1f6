package scenarios

// This file is the part of the scenario format for targeting that learns
// from its own inspections (pilotsim learn, and pilotsim run with a
// targeting block): the policy, how its models are updated, when outcomes
// become known, and how the threats change under it (drift, displacement).

// Targeting replaces the rule engine's lanes by a targeting policy: after the
// rules have scored a consignment, the policy decides whether it is inspected
// (sent to Lane) or released (green). The inspection budget is the lane's
// capacity: the share of arrivals inspected is steered hour by hour so that
// the wait at the busiest pool of the lane's route stays near TargetWait.
// A policy learns only from outcomes that inspections have revealed, each
// known when its last control ends plus its threat's audit delay.
type Targeting struct {
	// Policy is the policy pilotsim run applies: rules (default), rules+random,
	// oracle, or a learned policy (see docs/learning.md).
	Policy string `yaml:"policy"`
	// Policies are the policies pilotsim learn compares, each over the same
	// seeds; default every policy there is.
	Policies []string `yaml:"policies"`
	// Epsilon is the share of the inspection budget drawn at random (the
	// random stratum) by the policies that explore, in [0, 1); default 0.1.
	Epsilon *float64 `yaml:"epsilon"`
	// Update is how often learned models are refitted from the outcomes
	// revealed so far (simulated time), default 1d (nightly), >= 1h.
	Update Duration `yaml:"update"`
	// LearningRate is the step of the learned model's online logistic fit
	// of the key families' weights, in [0, 1]; default 0: each family's
	// log-odds lift counts with weight 1 (a naive-Bayes sum), which is right
	// when the families are independent given the threat, as the generator
	// makes them. A small rate (the replay of real declarations uses 0.01)
	// lets the weights correct for correlated families, but fitted on
	// inspected outcomes only they also learn the selection
	// (docs/learning-simulator.md).
	LearningRate *float64 `yaml:"learning_rate"`
	// Keys are the key families learned policies learn on (hs2, hs4, hs6,
	// origin, hub, mode, trader, aeo, new_trader, value_per_kg, rules,
	// hs2_origin, hs4_origin, hs6_origin, trader_hs2); default all.
	Keys []string `yaml:"keys"`
	// Lane is the lane targeted consignments go to: red (default) or yellow.
	Lane string `yaml:"lane"`
	// TargetWait is the queue wait at the busiest pool of the lane's route
	// that the inspection budget aims at, default 2h, > 0.
	TargetWait Duration `yaml:"target_wait"`
	// Budget, when given, fixes the share of arrivals inspected instead of
	// steering it by the queues, in (0, 1]: for comparisons at a fixed rate.
	Budget *float64 `yaml:"budget"`
	// AuditDelay maps threat names to the delay between the end of the
	// exam that found a consignment of that threat and the moment the
	// finding is known (e.g. undervaluation confirmed by a post-clearance
	// audit months later); threats not listed: known when the exam ends.
	AuditDelay map[string]Dist `yaml:"audit_delay"`
}

// Drift changes a threat's signature from a simulated time on: a new origin
// appears, a route shifts. Which consignments are irregular does not change
// (their draws are the same), only the features of the threat's cases.
type Drift struct {
	Threat string   `yaml:"threat"` // name of a threat, required
	At     Duration `yaml:"at"`     // simulated time the new signature starts, > 0 (at or after the horizon: never); increasing per threat
	// Signature is the threat's signature from At on, in full (it replaces
	// the one before; absent ratios are 1); new_trader may not change.
	Signature Signature `yaml:"signature"`

	// Line is the line of the drift in its file (0 when built in code).
	Line int `yaml:"-"`
}

// Displacement makes a threat move away from what is inspected: every Period
// its weight on each country of origin (and HS chapter) is its signature's
// weight times (r_g / r)^−Elasticity, r_g being the inspection rate of
// consignments of that origin (chapter) over the period before and r the
// overall rate (the ratio clamped to [0.1, 10]). How many consignments are
// irregular does not change; where they come from does.
type Displacement struct {
	Threat     string   `yaml:"threat"`     // name of a threat, required
	Elasticity float64  `yaml:"elasticity"` // > 0, at most 10
	Over       []string `yaml:"over"`       // origin, hs_chapter; default both
	Period     Duration `yaml:"period"`     // default 7d, >= 1d

	// Line is the line of the displacement in its file (0 when built in code).
	Line int `yaml:"-"`
}

// TargetingPolicies are the policy names a targeting block may use, in the
// order pilotsim learn runs them.
var TargetingPolicies = []string{"rules", "rules+random", "learned", "learned+random", "thompson", "ucb", "adaptive", "oracle"}

// TargetingKeys are the key families learned policies may learn on.
var TargetingKeys = []string{"hs2", "hs4", "hs6", "origin", "hub", "mode", "trader", "aeo", "new_trader",
	"value_per_kg", "rules", "hs2_origin", "hs4_origin", "hs6_origin", "trader_hs2"}

// Targeting defaults.
const (
	DefaultEpsilon    = 0.1
	DefaultUpdate     = Duration(24 * 60)
	DefaultTargetWait = Duration(2 * 60)
	DefaultDisplace   = Duration(7 * 24 * 60)
)
