package pilotstat

import "strings"

// Design is a pilot design: who gets the measure, and when.
type Design int

// Designs, in the order plan reports them.
const (
	BeforeAfterDesign  Design = iota // one site, switched on at a date: interrupted time series
	StratumDesign                    // a random stratum of one site's consignments gets the measure
	ClusterDesign                    // a random part of the sites gets the measure from a date
	SteppedWedgeDesign               // every site gets the measure, in random order, at its own date
	NumDesigns
)

var designNames = [NumDesigns]string{"before-after", "random-stratum", "cluster", "stepped-wedge"}

// String returns the design's name as plan and evaluate write it.
func (d Design) String() string {
	if d < 0 || d >= NumDesigns {
		return "?"
	}
	return designNames[d]
}

// ParseDesign reads a design name (before-after, random-stratum, cluster,
// stepped-wedge).
func ParseDesign(s string) (Design, bool) {
	for i, n := range designNames {
		if n == s {
			return Design(i), true
		}
	}
	return 0, false
}

// DesignNames returns the design names joined by sep, for usage texts.
func DesignNames(sep string) string { return strings.Join(designNames[:], sep) }
