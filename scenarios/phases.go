package scenarios

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Phases are read in two steps. Before the scenario is decoded, each
// phase's set mapping is taken out of the tree (the decoder sees at and ramp
// only). After the scenario has decoded and validated without a problem,
// the overrides of phase 1, then 2, … are applied to the tree, in order and
// on top of each other, with the paths and checks of --set, and the tree is
// decoded and validated again as the scenario in force from that phase on.
// A problem is reported at the line and column of the phase's override.

// MaxPhases is the most phases a scenario may have.
const MaxPhases = 32

// takePhaseSets removes the set mapping of every element of the phases list
// of root and returns them by phase (nil where a phase has none).
func takePhaseSets(root *yaml.Node) []*yaml.Node {
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	var list *yaml.Node
	for j := 0; j+1 < len(root.Content); j += 2 {
		if root.Content[j].Value == "phases" {
			list = root.Content[j+1]
		}
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		return nil
	}
	sets := make([]*yaml.Node, len(list.Content))
	for i, e := range list.Content {
		if e.Kind != yaml.MappingNode {
			continue
		}
		for j := 0; j+1 < len(e.Content); j += 2 {
			if e.Content[j].Value == "set" {
				sets[i] = e.Content[j+1]
				e.Content = append(e.Content[:j:j], e.Content[j+2:]...)
				break
			}
		}
	}
	return sets
}

// dropPhases removes the phases entry from root.
func dropPhases(root *yaml.Node) {
	for j := 0; j+1 < len(root.Content); j += 2 {
		if root.Content[j].Value == "phases" {
			root.Content = append(root.Content[:j:j], root.Content[j+2:]...)
			return
		}
	}
}

// phasePathOK reports whether a phase may override the path (see PhasePaths).
func phasePathOK(steps []setStep) bool {
	var b strings.Builder
	for i, st := range steps {
		switch {
		case st.isList:
			b.WriteString("[]")
		case i == 1 && steps[0].key == "traffic":
			b.WriteString(".*")
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(st.key)
		}
	}
	p := b.String()
	for _, a := range PhasePaths {
		if p == a || strings.HasPrefix(p, a+".") || strings.HasPrefix(p, a+"[") {
			return true
		}
	}
	return false
}

// phases checks the phases of sc and resolves the scenario in force during
// each: root is the tree sc was decoded from, sets the phases' set mappings
// (takePhaseSets). It runs only when the scenario itself has no problem.
func (d *decoder) phases(sc *Scenario, root *yaml.Node, sets []*yaml.Node) {
	if len(sc.Phases) == 0 {
		return
	}
	dropPhases(root)
	if len(sc.Phases) > MaxPhases {
		d.add(d.pos["phases"], "phases", "want at most %d phases, got %d", MaxPhases, len(sc.Phases))
		return
	}
	prev := 0.0
	for i := range sc.Phases {
		ph := &sc.Phases[i]
		path := indexPath("phases", i)
		ph.Line = d.pos[path].line
		at := float64(ph.At)
		switch {
		case !(at > 0):
			d.add(d.pos[path+".at"], path+".at", "want the simulated time the phase starts, > 0, e.g. 28d")
		case at >= float64(sc.Horizon):
			d.add(d.pos[path+".at"], path+".at", "want a start before the horizon (%s), got %s", FormatDuration(float64(sc.Horizon)), FormatDuration(at))
		case at <= prev:
			d.add(d.pos[path+".at"], path+".at", "want phases in order of start, each after the one before (%s), got %s", FormatDuration(prev), FormatDuration(at))
		}
		if ph.Ramp < 0 {
			d.add(d.pos[path+".ramp"], path+".ramp", "want a duration >= 0, got %s", FormatDuration(float64(ph.Ramp)))
		}
		prev = at
		set := sets[i]
		if set == nil || set.Kind != yaml.MappingNode || len(set.Content) == 0 {
			p := d.pos[path]
			if set != nil {
				p = d.posOf(set)
			}
			d.add(p, path+".set", "want a mapping of overrides, path: value, e.g. resources.red: [nii, physical]")
			continue
		}
		for j := 0; j+1 < len(set.Content); j += 2 {
			key, val := set.Content[j], set.Content[j+1]
			sp := path + ".set." + key.Value
			steps, err := parseSetPath(key.Value)
			if err != nil {
				d.errorf(key, sp, "%v", err)
				continue
			}
			if !phasePathOK(steps) {
				d.errorf(key, sp, "a phase cannot change %s (a phase may change %s)", key.Value, strings.Join(PhasePaths, ", "))
				continue
			}
			ph.Sets = append(ph.Sets, PhaseSet{Path: key.Value, Line: val.Line, Col: val.Column})
			at := key
			v := deepCopy(val)
			mark := func(n *yaml.Node) {
				if n.Line == 0 {
					n.Line, n.Column = at.Line, at.Column
				}
			}
			if err := d.setNode(root, steps, key.Value, v, mark); err != nil {
				d.errorf(key, sp, "%v", err)
			}
		}
		if len(d.errs) > 0 {
			continue // the tree is not what the phase says: check the other phases' form only
		}
		// The scenario in force from this phase on, checked as a whole.
		sub := newDecoder(d.file)
		sub.origin, sub.setOrder = d.origin, d.setOrder
		psc := new(Scenario)
		sub.decode(root, reflect.ValueOf(psc).Elem(), "", false)
		fillLines(sub, psc)
		applyDefaults(psc, sub.has)
		sub.decodeErrs = len(sub.errs)
		(&validator{d: sub}).scenario(psc)
		for _, e := range sub.errs {
			e.Msg += fmt.Sprintf(" (in phase %d, from %s)", i+1, FormatDuration(at))
			d.errs = append(d.errs, e)
		}
		psc.Path, psc.Phases = sc.Path, nil
		ph.Scenario = psc
	}
}
