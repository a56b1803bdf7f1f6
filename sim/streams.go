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

// mix is the splitmix64 finalizer.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
