package sim

import "math/rand/v2"

// Purpose names what a random stream is used for. Each purpose has its own
// stream in each replication, so adding draws for one purpose never shifts the
// draws of another.
type Purpose uint64

// Stream purposes.
const (
	PurposeTraders   Purpose = iota + 1 // the trader population
	PurposeArrivals                     // arrival instants
	PurposeFeatures                     // consignment features (origin, HS, value …)
	PurposeThreats                      // which consignments are irregular, and how
	PurposeSelection                    // random selection in the risk engine
	PurposeControls                     // service times
	PurposeDetection                    // detection and false alarms
	PurposeLodgement                    // lodgement lead times (assessment times: PurposeAssessment, generator.go)
	PurposeRecord                       // strings of the full record (names, UCRs, containers)
	PurposeClean                        // whether an irregular consignment is clean (no signature)
	PurposeDuty                         // the duty at stake on an irregular consignment
	PurposePhase     Purpose = 20       // a consignment's phase during a ramp (one draw per consignment, keyed by its number)
)

// Stream returns the random stream for (seed, replication, purpose). Streams are
// PCG generators seeded from a hash of the three, so nearby seeds or
// replications do not give related streams.
func Stream(seed uint64, rep int, p Purpose) *rand.Rand {
	a := mix(seed ^ mix(uint64(rep)+0x9e3779b97f4a7c15))
	b := mix(a ^ mix(uint64(p)*0xbf58476d1ce4e5b9))
	return rand.New(rand.NewPCG(a, b))
}

// StreamKey returns the 64-bit key of (seed, replication, purpose) for
// counter-based draws (drawKey, unitDraw), derived as Stream derives its
// seeds.
func StreamKey(seed uint64, rep int, p Purpose) uint64 {
	a := mix(seed ^ mix(uint64(rep)+0x9e3779b97f4a7c15))
	return mix(a ^ mix(uint64(p)*0xbf58476d1ce4e5b9))
}

// drawKey is the 64 random bits of the draw keyed by (key, consignment seq,
// index): a counter-based draw that depends on nothing drawn before it, so
// that a draw for one consignment never shifts another's. seq must be below
// 2^56 and index below 256.
func drawKey(key, seq, index uint64) uint64 {
	return mix(key ^ mix(seq^index<<56))
}

// unitDraw is drawKey as a uniform in [0, 1).
func unitDraw(key, seq, index uint64) float64 {
	return float64(drawKey(key, seq, index)>>11) * 0x1p-53
}

// mix is the splitmix64 finalizer.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
