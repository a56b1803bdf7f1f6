package sim

import (
	"pilotsim/datamodel"
	"pilotsim/scenarios"
)

// Groups of consignments a Time Release Study reports release time by,
// besides the lane: AEO or not, declaration lodged before or after arrival,
// and transport mode. Each consignment is in exactly one group of each kind.
// Their names are the <group> of the metrics release.<group>.* (a mode's group
// is named by the mode: sea, air, road, rail, postal).
const (
	GroupAEO         = "aeo"          // the declaring trader is an AEO
	GroupNonAEO      = "non_aeo"      // … is not
	GroupPreArrival  = "pre_arrival"  // lodged at or before arrival (Lodgement <= Arrival)
	GroupPostArrival = "post_arrival" // lodged after arrival
)

// Indices of the fixed groups in the group statistics; the modes tracked
// follow from borderGroupModes on.
const (
	borderGroupAEO = iota
	borderGroupNonAEO
	borderGroupPre
	borderGroupPost
	borderGroupModes
	borderMaxGroups = borderGroupModes + int(datamodel.NumModes)
)

var borderFixedGroups = [borderGroupModes]string{GroupAEO, GroupNonAEO, GroupPreArrival, GroupPostArrival}

// borderAEOGroups are the groups of inspection_rate.<group> and
// hit_rate.<group> (index 0 AEO, 1 not), with the label their help uses.
var borderAEOGroups = [2]struct{ name, label string }{{GroupAEO, "AEO"}, {GroupNonAEO, "non-AEO"}}

// borderGroupsConfig are the groups of a compiled border.
type borderGroupsConfig struct {
	// names are the groups' names: the fixed groups, then each mode with
	// traffic in mode order.
	names []string
	// modeGroup is the index of a mode's release statistics, -1 when the
	// mode is not tracked apart: not in traffic, or the only mode (then
	// its group is every consignment, and its figures are those of all).
	modeGroup [datamodel.NumModes]int8
	onlyMode  bool // a single mode has traffic
	tracked   int  // groups with their own release statistics
}

// compileBorderGroups reads the modes with traffic (keys that are no mode
// are left to the engine's checks).
func compileBorderGroups(sc *scenarios.Scenario) borderGroupsConfig {
	var g borderGroupsConfig
	for i := range g.modeGroup {
		g.modeGroup[i] = -1
	}
	var modes []datamodel.Mode
	for m := datamodel.Mode(0); m < datamodel.NumModes; m++ {
		if _, ok := sc.Traffic[m.String()]; ok {
			modes = append(modes, m)
		}
	}
	g.names = append(g.names, borderFixedGroups[:]...)
	g.onlyMode = len(modes) == 1
	g.tracked = borderGroupModes
	for _, m := range modes {
		g.names = append(g.names, m.String())
		if !g.onlyMode {
			g.modeGroup[m] = int8(g.tracked)
			g.tracked++
		}
	}
	return g
}

// of returns c's AEO group, lodgement group and mode group (-1 when its mode
// is not tracked apart).
func (g *borderGroupsConfig) of(c *Consignment) (aeo, lodged, mode int) {
	aeo, lodged = borderGroupAEO, borderGroupPre
	if c.Flags&FlagAEO == 0 {
		aeo = borderGroupNonAEO
	}
	if c.Lodgement > c.Arrival {
		lodged = borderGroupPost
	}
	return aeo, lodged, int(g.modeGroup[c.Mode])
}
