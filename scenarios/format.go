package scenarios

// This file is the scenario file format: the Go form of the YAML that analysts
// write. Field tags are the YAML names. Durations are read as "90s", "20m", "3h",
// "2d" (or a plain number of minutes) and held in minutes; rates are per hour.
//
// The loader (Load, Parse, LoadRules) decodes strictly (unknown fields are
// errors), applies the defaults given in the comments below, validates, and
// reports every problem with the line, column and field path it came from.
// Command-line overrides (--set path=value) are applied before decoding.

// Scenario is one scenario file.
type Scenario struct {
	Name         string   `yaml:"name"`         // short identifier, required (LoadRules: default the file name)
	Description  string   `yaml:"description"`  // free text
	Seed         uint64   `yaml:"seed"`         // master seed of all random streams
	Replications int      `yaml:"replications"` // R, default 10, >= 1
	Horizon      Duration `yaml:"horizon"`      // simulated time per replication, required, > 0
	Warmup       Duration `yaml:"warmup"`       // excluded from statistics, default 0, < Horizon; "auto": see WarmupAuto
	// WarmupAuto is set by `warmup: auto`: each replication's warm-up is
	// chosen by MSER (see the sim package) and Warmup is 0.
	WarmupAuto bool `yaml:"-"`
	// Drain is how long after the horizon the simulation goes on, without
	// new arrivals, to release the consignments that arrived in the
	// statistics window; it stops earlier once all are released. Default
	// (nil) DefaultDrain, 14 days; >= 0.
	Drain *Duration `yaml:"drain"`
	// WindowEnd ends the statistics window before the horizon: consignments
	// arriving in [Warmup, WindowEnd) are measured, arrivals go on until the
	// horizon (so the window's consignments meet the queues a longer
	// operation would give them), then the drain. Default (0): the horizon.
	WindowEnd Duration `yaml:"window_end,omitempty"`

	// Traffic per transport mode (keys: sea, air, road, rail, postal);
	// required, at least one mode.
	Traffic map[string]ModeTraffic `yaml:"traffic"`
	Traders Traders                `yaml:"traders"`
	Trade   Trade                  `yaml:"trade"`
	Threats []Threat               `yaml:"threats"` // names unique; prevalences add up to at most 1; at most 127 (sim.MaxThreats)
	Rules   []Rule                 `yaml:"rules"`   // ids unique; at most 128 (sim.MaxRules)

	Selectivity Selectivity `yaml:"selectivity"`
	Resources   Resources   `yaml:"resources"`
	Targets     Targets     `yaml:"targets"`
	// Costs, when given, price the controls, so that the cost of a measure
	// stands beside the detection it buys and the release time it costs.
	Costs *Costs `yaml:"costs"`

	// Sites are the offices a pilot may run at (optional): each runs this
	// model with its own traffic scale and its own random streams, and the
	// offices differ by the spread given. Used by plan's multi-site designs.
	Sites *Sites `yaml:"sites"`

	// Phases change the scenario from a simulated time on (optional): each
	// phase is a set of overrides with the paths and checks of --set,
	// applied on top of the scenario and the phases before it.
	Phases []Phase `yaml:"phases"`

	// Targeting, when given, lets a targeting policy decide which assessed
	// consignments are inspected, within the lane's capacity (pilotsim
	// learn compares policies; pilotsim run applies one).
	Targeting *Targeting `yaml:"targeting"`
	// Drift changes threats' signatures from a simulated time on.
	Drift []Drift `yaml:"drift"`
	// Displacement moves threats away from the origins and HS chapters
	// whose inspection rate rises.
	Displacement []Displacement `yaml:"displacement"`

	// Path is the file the scenario was read from ("" when built in code).
	Path string `yaml:"-"`
}

// Sites are several offices that run the same model, each with its own
// traffic scale and a between-site spread: the service times of every pool
// and the prevalence of every threat of each office are the scenario's
// multiplied by lognormal factors with median 1 and the given coefficients of
// variation, drawn per office. Offices share nothing at run time.
type Sites struct {
	Offices      []Site  `yaml:"offices"`       // at least 2, names unique
	ServiceCV    float64 `yaml:"service_cv"`    // between-site CV of service times, >= 0, default 0
	PrevalenceCV float64 `yaml:"prevalence_cv"` // between-site CV of threat prevalence, >= 0, default 0
}

// Site is one office.
type Site struct {
	Name  string  `yaml:"name"`  // required, unique
	Scale float64 `yaml:"scale"` // traffic relative to the scenario's rates, > 0, default 1

	// Line is the office's line in its file (0 when built in code).
	Line int `yaml:"-"`
}

// Phase is a change of the scenario from a simulated time on: for example
// the scanner route opens on day 28, or a new rule set starts in week 5. With
// a ramp the change is phased in linearly: a consignment arriving a share x
// of the way through the ramp is handled under the phase with probability
// x (decided per consignment from its own stream), as officers learning a
// scanner take over more of the traffic. Server counts change at At.
type Phase struct {
	At   Duration `yaml:"at"`   // simulated time the phase starts, > 0, < horizon, increasing
	Ramp Duration `yaml:"ramp"` // optional, >= 0: the change phases in linearly over this time
	// Set is written in the file as a mapping from --set paths to values;
	// the loader reads it apart from the rest (its values keep their own
	// lines) and fills Sets and Scenario.
	Set struct{} `yaml:"set"`

	// Share, when in (0, 1), applies the phase to that share of the
	// consignments arriving in it, drawn per consignment (the others stay
	// in the phase before): a random stratum inside one run, whose treated
	// and control consignments share the queues. Set in code (plan measures
	// a random stratum's interference with it); 0 means every consignment.
	Share float64 `yaml:"-"`

	Sets []PhaseSet `yaml:"-"`
	// Scenario is the whole scenario in force from At on (the base with
	// this phase's and every earlier phase's overrides), validated like the
	// file itself; its Phases are nil.
	Scenario *Scenario `yaml:"-"`
	// Line is the phase's line in its file (0 when built in code).
	Line int `yaml:"-"`
}

// PhaseSet is one override of a phase.
type PhaseSet struct {
	Path      string // as for --set, e.g. resources.red or resources.pools[nii].servers
	Line, Col int    // of its value in the file
}

// PhasePaths are the parts of a scenario a phase may change: what the
// engine can switch during a run (lanes' routes, rules and selectivity,
// service times, server counts and false alarms of existing pools,
// detection probabilities, and lodgement leads). The traffic, traders,
// trade and threats' prevalence stay those of the run.
var PhasePaths = []string{
	"rules", "selectivity", "resources.yellow", "resources.red", "resources.red_physical_on_alarm",
	"resources.pools[].service", "resources.pools[].servers", "resources.pools[].false_alarm",
	"threats[].detection", "traffic.*.lodgement_lead",
}

// ModeTraffic is the arrival process of one transport mode: Poisson arrivals at
// Rate per hour, optionally modulated by hour of day and day of week
// (non-homogeneous Poisson; the profiles are relative weights, normalised so the
// mean rate stays Rate).
type ModeTraffic struct {
	Rate   float64   `yaml:"rate"`   // consignments per hour, required, > 0
	Hourly []float64 `yaml:"hourly"` // optional, 24 non-negative weights, hour 0 first
	Weekly []float64 `yaml:"weekly"` // optional, 7 non-negative weights, Monday first
	// LodgementLead is how long before arrival the declaration is lodged
	// (minutes; negative means lodged after arrival). Default: const 0.
	LodgementLead Dist `yaml:"lodgement_lead"`
}

// Traders is the population of traders (importers / declarants).
type Traders struct {
	Count    int     `yaml:"count"`     // number of traders, required, >= 1
	Zipf     float64 `yaml:"zipf"`      // volume of rank k ∝ 1/k^Zipf, >= 0
	AEOShare float64 `yaml:"aeo_share"` // probability a trader is an AEO, in [0,1]
	NewShare float64 `yaml:"new_share"` // probability a trader is new, in [0,1]
	// AEOPrevalenceFactor multiplies every threat's prevalence for AEO traders
	// (0.2 = AEOs are five times less often irregular). Default 1.
	AEOPrevalenceFactor *float64 `yaml:"aeo_prevalence_factor"`
	// Prevalence says what a threat's prevalence is: "non_aeo" (default),
	// the rate of non-AEO traders' consignments (AEOs: times
	// aeo_prevalence_factor), so certifying more traders lowers the overall
	// irregularity; or "overall", the rate over all consignments whatever
	// aeo_share: the non-AEO rate is prevalence / (1 − aeo_share × (1 −
	// aeo_prevalence_factor)), so a pilot that changes the AEO share changes
	// who is irregular, not how much irregularity there is.
	Prevalence string `yaml:"prevalence"`
}

// Trade is the profile of legitimate trade from which consignment features are
// drawn: relative weights by origin and HS chapter, routing through hubs, value
// per kg and gross weight.
type Trade struct {
	// Origins maps ISO 3166-1 alpha-2 codes to relative weights (required;
	// weights >= 0, not all zero).
	Origins map[string]float64 `yaml:"origins"`
	// HSChapters maps two-digit chapters ("08") to relative weights
	// (required); the key "all" gives every chapter in use (01-97 but 77)
	// that weight, and chapters listed beside it keep their own.
	HSChapters map[string]float64 `yaml:"hs_chapters"`
	Routing    Routing            `yaml:"routing"`
	ValuePerKg Dist               `yaml:"value_per_kg"` // customs value per kg, required
	Weight     Dist               `yaml:"gross_weight"` // gross weight in kg; default lognormal median 5000 sigma 1
	Currency   string             `yaml:"currency"`     // ISO 4217 currency of values, default USD
}

// Routing says what share of consignments is routed through one hub country and
// how hubs are chosen.
type Routing struct {
	Share float64            `yaml:"share"` // in [0,1]
	Hubs  map[string]float64 `yaml:"hubs"`  // ISO alpha-2 → relative weight; required when Share > 0
}

// Threat is one category of irregularity (ground truth): how often it occurs,
// its signature in the declaration data, and how each control finds it.
type Threat struct {
	Name       string    `yaml:"name"`       // required, unique
	Prevalence float64   `yaml:"prevalence"` // probability a non-AEO trader's consignment carries it (AEO: times aeo_prevalence_factor; see Traders.Prevalence for "overall"), required, in [0,1]
	Signature  Signature `yaml:"signature"`
	// CleanShare is the share of irregular consignments with no signature at all
	// (features drawn from legitimate trade), in [0,1].
	CleanShare float64   `yaml:"clean_share"`
	Detection  Detection `yaml:"detection"`
	// Duty is the duty at stake per irregular consignment (revenue threats);
	// absent for threats without revenue.
	Duty *Dist `yaml:"duty"`

	// Line is the line of the threat in its file (0 when built in code or
	// given with --set), for later error messages.
	Line int `yaml:"-"`
}

// Signature tilts the features of an irregular consignment: likelihood ratios
// multiply the trade weights of the listed origins, HS chapters and hubs (others
// keep ratio 1); ValueFactor divides the value per kg. Ratios are >= 0; the
// loader sets absent RoutedRatio, ValueFactor and NewTrader to 1.
type Signature struct {
	Origin      map[string]float64 `yaml:"origin"`       // alpha-2 → ratio
	HSChapter   map[string]float64 `yaml:"hs_chapter"`   // "08" → ratio
	Hub         map[string]float64 `yaml:"hub"`          // alpha-2 → ratio
	RoutedRatio *float64           `yaml:"routed_ratio"` // odds ratio of being routed at all, default 1
	ValueFactor *float64           `yaml:"value_factor"` // median value/kg divided by this, default 1
	NewTrader   *float64           `yaml:"new_trader"`   // ratio for consignments of new traders, default 1
}

// Detection is the probability that each control method finds the threat when
// it is present (each in [0,1], default 0).
type Detection struct {
	Document float64 `yaml:"document"`
	NII      float64 `yaml:"nii"`
	Physical float64 `yaml:"physical"`
}

// Rule is one selectivity criterion. Exactly one of When and Expr is given. A
// rule that matches adds Score; when Lane is set it also forces that lane (the
// highest forced lane of the matching rules wins over the score thresholds).
type Rule struct {
	ID          string    `yaml:"id"` // unique, required
	Description string    `yaml:"description"`
	When        *Criteria `yaml:"when"`
	// Expr is an expr-lang expression over the consignment's fields, for what
	// criteria cannot say (see the sim package for the variables).
	Expr  string  `yaml:"expr"`
	Score float64 `yaml:"score"`
	Lane  string  `yaml:"lane"` // optional: red, yellow, blue or green
	// Route, when given, names the pools a consignment this rule selects
	// visits instead of its lane's route (pool names of resources.pools);
	// a consignment hit by several routed rules visits the union of their
	// pools, in the order of resources.pools. It applies to consignments in
	// the yellow or red lane.
	Route []string `yaml:"route"`

	// Line is the line of the rule in its file (0 when built in code or given
	// with --set), for later error messages.
	Line int `yaml:"-"`
	// Set is the --set override the rule's expression came from (the path
	// as written, e.g. rules[R3].expr), "" when it was written in the file:
	// a failure of the expression names the --set, not the file's line.
	Set string `yaml:"-"`
}

// Criteria is a condition on declaration fields. All fields given in one
// Criteria must hold (AND); All, Any and Not combine nested criteria. A
// Criteria must give at least one condition, and a list given must not be
// empty.
type Criteria struct {
	Origin   []string `yaml:"origin"`   // country of origin in list
	Dispatch []string `yaml:"dispatch"` // country of dispatch in list
	Routing  []string `yaml:"routing"`  // any country of routing in list
	HS       []string `yaml:"hs"`       // HS code starts with any prefix (2 to 6 digits of a chapter in use)
	Trader   []string `yaml:"trader"`   // trader id in list
	Mode     []string `yaml:"mode"`     // transport mode in list

	AEO                *bool `yaml:"aeo"`
	NewTrader          *bool `yaml:"new_trader"`
	LodgedAfterArrival *bool `yaml:"lodged_after_arrival"`

	ValuePerKg  *Range `yaml:"value_per_kg"`
	GrossWeight *Range `yaml:"gross_weight"`
	Value       *Range `yaml:"value"`

	All []Criteria `yaml:"all"`
	Any []Criteria `yaml:"any"`
	Not *Criteria  `yaml:"not"`

	// Field and History test mapped columns of real declarations
	// (format_backtest.go); pilotsim backtest only.
	Field   *FieldCriteria   `yaml:"field"`
	History *HistoryCriteria `yaml:"history"`
}

// Range is a numeric interval: Min <= x < Max; either end may be absent, not
// both, and Min < Max when both are given.
type Range struct {
	Min *float64 `yaml:"min"`
	Max *float64 `yaml:"max"`
}

// Selectivity assigns lanes from scores, in ASYCUDA's precedence: thresholds
// (and forced lanes: rules' lanes and MaxHits), then minimum random rates,
// then expected rates.
type Selectivity struct {
	// Thresholds on the total score: a consignment goes to the first lane of
	// red, yellow, blue whose threshold its score reaches; else green. An
	// absent threshold means the lane is never chosen by score. Thresholds
	// given must be ordered red >= yellow >= blue.
	Red    *float64 `yaml:"red"`
	Yellow *float64 `yaml:"yellow"`
	Blue   *float64 `yaml:"blue"`
	// AEODiscount (>= 0) is subtracted from the score of AEO traders'
	// consignments.
	AEODiscount float64 `yaml:"aeo_discount"`
	// MaxHits, when given, forces selection of a consignment that hits at
	// least Count rules (each perhaps weak), whatever its total score: it
	// goes at least to MaxHits.Lane, with reason forced, like a rule's lane
	// (the highest forced lane wins, so a rule forcing green does not keep
	// it green). The count of rules hit ignores scores and the AEO discount.
	// Absent: off.
	MaxHits *MaxHits `yaml:"max_hits"`
	// Random is the minimum random rate per lane (red, yellow, blue); the
	// rates add up to at most 1.
	Random map[string]RandomRate `yaml:"random"`
	// Expected is the expected rate per lane (red, yellow, blue), filled online
	// from would-be-green consignments, red first; each in [0,1], adding up
	// to at most 1.
	Expected map[string]float64 `yaml:"expected"`
	// ExpectedAEOExempt: when true, AEO consignments are never pulled in to
	// fill an expected rate, so the capacity an AEO programme frees goes to
	// non-AEO trade only as far as the expected rates ask. Default false: the
	// fill draws from all would-be-green consignments alike.
	ExpectedAEOExempt bool `yaml:"expected_aeo_exempt"`
	// Assessment is the time risk assessment takes after lodgement (minutes),
	// default const 0.
	Assessment Dist `yaml:"assessment"`
}

// MaxHits is the ASYCUDA "maximum number of criteria hits before selection
// is forced".
type MaxHits struct {
	Count int    `yaml:"count"` // required, in [1, number of rules]
	Lane  string `yaml:"lane"`  // red or yellow, default red
}

// RandomRate draws a share of consignments into a lane whatever their score.
type RandomRate struct {
	Rate      float64 `yaml:"rate"`       // in [0,1]
	AEOExempt bool    `yaml:"aeo_exempt"` // AEO consignments are never drawn
}

// Resources are the control resources at the border and how lanes use them.
type Resources struct {
	Pools []Pool `yaml:"pools"` // required; names unique; at most 127 (sim.MaxPools)
	// Yellow and Red are the pools a consignment of that lane visits, in order.
	// Defaults: yellow [document]; red [nii, physical]. Each names a pool.
	Yellow []string `yaml:"yellow"`
	Red    []string `yaml:"red"`
	// RedPhysicalOnAlarm: when true (default), a red consignment goes on from
	// the nii pool to physical examination only if the scan alarms.
	RedPhysicalOnAlarm *bool `yaml:"red_physical_on_alarm"`
}

// Pool is a group of identical servers (officers, scanners, teams) with one
// FIFO queue.
type Pool struct {
	Name    string `yaml:"name"`    // document, nii, physical, or any other name; required
	Method  string `yaml:"method"`  // detection method used: document, nii or physical; default: the name
	Servers int    `yaml:"servers"` // required, >= 1
	Service Dist   `yaml:"service"` // service time in minutes, required, never negative
	// FalseAlarm is the probability a scan alarms on a consignment it did not
	// find irregular, regular or not (nii pools).
	FalseAlarm float64 `yaml:"false_alarm"`
	Hours      *Hours  `yaml:"hours"` // optional opening hours; default 24/7

	// Line is the line of the pool in its file (0 when built in code or given
	// with --set), for later error messages.
	Line int `yaml:"-"`
}

// Hours are opening hours: work starts only while open and waits for the next
// opening otherwise; a service in progress at closing time finishes. A Close
// before Open is a shift over midnight (open: 22h, close: 6h closes at 06:00
// the next day); Close equal to Open is an error (for 24 hours a day write
// open: 0h, close: 24h).
type Hours struct {
	Open  Duration `yaml:"open"`  // time of day, e.g. 8h; required, in [0h, 24h)
	Close Duration `yaml:"close"` // time of day, e.g. 18h; required, in [0h, 24h], not equal to Open
	// Days on which a shift starts (a night shift runs into the next day),
	// among mon tue wed thu fri sat sun; default all seven.
	Days []string `yaml:"days"`
}

// Targets are the release-time targets a Time Release Study reports against
// (share released within the target).
type Targets struct {
	Overall Duration            `yaml:"overall"` // default 48h
	Lanes   map[string]Duration `yaml:"lanes"`   // by lane (red, yellow, blue, green), e.g. green: 1h
}

// Costs are what the controls cost the administration, in its currency: an
// officer-hour of the pools that are not scanners (document checks and
// physical examinations, busy time), and one scan of an nii pool.
type Costs struct {
	OfficerHour float64 `yaml:"officer_hour"` // cost of one officer-hour of document and physical pools, >= 0
	Scan        float64 `yaml:"scan"`         // cost of one NII scan, >= 0
}

// Dist is a probability distribution, written the same way everywhere:
//
//	{dist: exp, mean: 20m}
//	{dist: lognormal, median: 5, sigma: 1}   (or mean + cv)
//	{dist: gamma, mean: 2h, cv: 0.5}
//	{dist: normal, mean: 24h, sd: 6h}        (or mean + cv)
//	{dist: uniform, min: 1h, max: 3h}
//	{dist: triangular, min: 0, mode: 1h, max: 4h}
//	{dist: const, value: 30m}
//	{dist: empirical, values: [1h, 2h, 6h], weights: [5, 3, 1]}
//
// Quantities (mean, median, sd, min, max, mode, value, values) accept durations
// (held in minutes) where the distribution is of a time; cv, sigma and weights
// are plain numbers. Min and Max also bound the other families (draws are
// clamped to [min, max]). A field the family does not take is an error.
type Dist struct {
	Kind    string    `yaml:"dist"`
	Mean    *float64  `yaml:"mean"`
	CV      *float64  `yaml:"cv"`
	Median  *float64  `yaml:"median"`
	Sigma   *float64  `yaml:"sigma"`
	SD      *float64  `yaml:"sd"`
	Min     *float64  `yaml:"min"`
	Max     *float64  `yaml:"max"`
	Mode    *float64  `yaml:"mode"`
	Value   *float64  `yaml:"value"`
	Values  []float64 `yaml:"values"`
	Weights []float64 `yaml:"weights"`
}

// Duration is a span of simulated time in minutes, written "90s", "20m", "3h",
// "2d" or as a plain number of minutes.
type Duration float64
