package learn

import "math/rand/v2"

// Purpose names what a random stream of the learning loop is used for. The
// values seed the streams and are part of the output contract: they are
// explicit (not iota) and pinned by a test. They start at 64 so that they never
// meet the simulator's own purposes (sim.Purpose, 1–32).
type Purpose uint64

// Stream purposes of the learning loop.
const (
	PurposeExplore   Purpose = 64 // the random stratum (ε-random selection)
	PurposeThompson  Purpose = 65 // posterior draws of Thompson sampling
	PurposeBootstrap Purpose = 66 // bootstrap resampling of days for intervals
	PurposeHistory   Purpose = 67 // the random share of an earlier policy's history
)

// Stream returns the random stream for (seed, replication, purpose), derived
// exactly as sim.Stream derives the simulator's (a test checks that the two
// agree), so a learning policy inside the border and the replay draw from the
// same family of streams. A stream is not safe for concurrent use.
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
