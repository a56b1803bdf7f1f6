package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"pilotsim/sim/pilot"
)

// A plan runs as shards on a cluster: shard i of n simulates the pilots
// whose number modulo n is i and writes their estimates (every design,
// figure and duration, with and without the measure) to a shard file; the
// merge reads every shard's file, checks that they come from the same plan
// and together hold every pilot once, and summarises them in pilot order —
// the same plan, byte for byte, as one unsharded run. The file is a JSON
// header line (the plan's identity) and then the estimates as little-endian
// float32/float64 values.

// PlanShardHeader identifies the plan a shard belongs to.
type PlanShardHeader struct {
	Format   string     `json:"format"` // "pilotsim-plan-shard/2"
	Plan     string     `json:"plan"`   // hash of the inputs, overrides and options that change the results
	Baseline string     `json:"baseline"`
	Measure  string     `json:"measure"`
	Config   PlanConfig `json:"config"`
	Pilots   int        `json:"pilots"` // pilots of the whole plan
	Shard    int        `json:"shard"`
	Shards   int        `json:"shards"`
}

const planShardFormat = "pilotsim-plan-shard/2"

// PlanShardFileName is the name of shard i of n's file.
func PlanShardFileName(i, n int) string { return fmt.Sprintf("plan-shard-%04d-of-%04d.bin", i, n) }

// PlanID hashes what makes two plan runs the same study: the inputs'
// hashes, the overrides and the options that change the results.
func PlanID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// WritePlanShard writes a shard's header and its pilots' estimates (pes[k]
// is pilot pilots[k]).
func WritePlanShard(w io.Writer, h PlanShardHeader, pilots []int, pes []*PilotEstimates) error {
	h.Format = planShardFormat
	head, err := json.Marshal(h)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.Write(head)
	b.WriteByte('\n')
	put := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	put(uint32(len(pes)))
	for k, pe := range pes {
		put(uint32(pilots[k]))
		for d := range NumDesigns {
			for f := range pilot.NumFigures {
				if len(pe.est[d][f]) != h.Config.MaxWeeks {
					return fmt.Errorf("plan shard: pilot %d has %d durations, want %d", pilots[k], len(pe.est[d][f]), h.Config.MaxWeeks)
				}
				for _, e := range pe.est[d][f] {
					for _, x := range e {
						put([3]float32{x.eff, x.se, x.df})
					}
				}
			}
		}
		for f := range pilot.NumFigures {
			for _, e := range pe.wseq[f] {
				for _, x := range e {
					put([3]float32{x.eff, x.se, x.df})
				}
			}
		}
		put(pe.truth)
		put(pe.mixed)
		put(pe.truth0)
		put(pe.base)
		for _, n := range pe.baseN {
			put(int64(n))
		}
	}
	_, err = w.Write(b.Bytes())
	return err
}

// ReadPlanShard reads a shard file: its header and its pilots' estimates.
func ReadPlanShard(name string, data []byte) (*PlanShardHeader, []int, []*PilotEstimates, error) {
	line, rest, ok := bytes.Cut(data, []byte("\n"))
	var h PlanShardHeader
	if !ok || json.Unmarshal(line, &h) != nil || h.Format != planShardFormat {
		return nil, nil, nil, fmt.Errorf("%s: not a plan shard file (want a %s header line)", name, planShardFormat)
	}
	if h.Config.MaxWeeks < 1 || h.Config.MaxWeeks > 1000 || h.Pilots < 1 || h.Shards < 1 || h.Shard < 0 || h.Shard >= h.Shards {
		return nil, nil, nil, fmt.Errorf("%s: header out of range: %s", name, line)
	}
	r := bytes.NewReader(rest)
	get := func(v any) error { return binary.Read(r, binary.LittleEndian, v) }
	var n uint32
	if err := get(&n); err != nil || int(n) > h.Pilots {
		return nil, nil, nil, fmt.Errorf("%s: damaged (pilot count)", name)
	}
	pilots := make([]int, n)
	pes := make([]*PilotEstimates, n)
	for k := range pes {
		var p uint32
		if err := get(&p); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: damaged or cut short: %w", name, err)
		}
		pilots[k] = int(p)
		pe := &PilotEstimates{}
		for d := range NumDesigns {
			for f := range pilot.NumFigures {
				pe.est[d][f] = make([][2]planEst, h.Config.MaxWeeks)
				for w := range pe.est[d][f] {
					for x := range 2 {
						var v [3]float32
						if err := get(&v); err != nil {
							return nil, nil, nil, fmt.Errorf("%s: damaged or cut short: %w", name, err)
						}
						pe.est[d][f][w][x] = planEst{v[0], v[1], v[2]}
					}
				}
			}
		}
		for f := range pilot.NumFigures {
			pe.wseq[f] = make([][2]planEst, h.Config.MaxWeeks)
			for w := range pe.wseq[f] {
				for x := range 2 {
					var v [3]float32
					if err := get(&v); err != nil {
						return nil, nil, nil, fmt.Errorf("%s: damaged or cut short: %w", name, err)
					}
					pe.wseq[f][w][x] = planEst{v[0], v[1], v[2]}
				}
			}
		}
		var baseN [pilot.NumFigures]int64
		for _, v := range []any{&pe.truth, &pe.mixed, &pe.truth0, &pe.base, &baseN} {
			if err := get(v); err != nil {
				return nil, nil, nil, fmt.Errorf("%s: damaged or cut short: %w", name, err)
			}
		}
		for f, c := range baseN {
			pe.baseN[f] = int(c)
		}
		pes[k] = pe
	}
	if r.Len() != 0 {
		return nil, nil, nil, fmt.Errorf("%s: %d bytes after the last pilot", name, r.Len())
	}
	return &h, pilots, pes, nil
}

// MergePlanShards checks that the shards belong to one plan and hold each of
// its pilots once, and returns the pilots' estimates in pilot order.
func MergePlanShards(heads []*PlanShardHeader, pilots [][]int, pes [][]*PilotEstimates) ([]*PilotEstimates, error) {
	if len(heads) == 0 {
		return nil, errors.New("no plan shards")
	}
	h0 := heads[0]
	all := make([]*PilotEstimates, h0.Pilots)
	seen := make([]bool, h0.Shards)
	for k, h := range heads {
		if h.Plan != h0.Plan || h.Shards != h0.Shards || h.Pilots != h0.Pilots {
			return nil, fmt.Errorf("shard %d/%d is of another plan (%s, %d shards, %d pilots) than shard %d/%d (%s, %d shards, %d pilots)",
				h.Shard, h.Shards, h.Plan, h.Shards, h.Pilots, h0.Shard, h0.Shards, h0.Plan, h0.Shards, h0.Pilots)
		}
		if seen[h.Shard] {
			return nil, fmt.Errorf("shard %d/%d given twice", h.Shard, h.Shards)
		}
		seen[h.Shard] = true
		for j, p := range pilots[k] {
			if p < 0 || p >= len(all) || p%h.Shards != h.Shard || all[p] != nil {
				return nil, fmt.Errorf("shard %d/%d holds pilot %d, which is not its own or was given twice", h.Shard, h.Shards, p)
			}
			all[p] = pes[k][j]
		}
	}
	for i, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("shard %d/%d is missing", i, h0.Shards)
		}
	}
	for p, pe := range all {
		if pe == nil {
			return nil, fmt.Errorf("pilot %d is in no shard", p)
		}
	}
	return all, nil
}
