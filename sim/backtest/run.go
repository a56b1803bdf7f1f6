package backtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"pilotsim/scenarios"
	"pilotsim/sim"
	"pilotsim/sim/risk"
)

// Rules is a rule set compiled for a mapping: the risk engine and the slots of
// the extra values its field and history criteria read.
type Rules struct {
	Engine *risk.Engine
	Schema *risk.ExtraSchema
	// Seed is the rule set's seed (scenarios' seed field): with Config.Rep
	// it selects the random stream of the selectivity's random rates.
	Seed uint64
}

// Compile compiles the rules and selectivity of sc against the columns of m.
func Compile(sc *scenarios.Scenario, m *Mapping) (*Rules, error) {
	schema := risk.NewExtraSchema(m.kind)
	e, err := risk.Compile(sc, risk.Config{Traders: sc.Traders.Count, Schema: schema})
	if err != nil {
		return nil, err
	}
	return &Rules{Engine: e, Schema: schema, Seed: sc.Seed}, nil
}

// NewSelector returns a risk.Selector drawing the random rates from the
// stream the simulator's replication rep uses (sim.PurposeSelection).
func (r *Rules) NewSelector(rep int) *risk.Selector {
	s := new(risk.Selector)
	s.Reset(sim.Stream(r.Seed, rep, sim.PurposeSelection))
	return s
}

// Input is one declarations file.
type Input struct {
	Name string // for messages
	R    io.Reader
}

// Config is one backtest.
type Config struct {
	Rules   *Rules
	Mapping *Mapping
	// History files are read first, in order, into the history (they are not
	// scored): the past control results an administration's database holds.
	History []Input
	Input   Input
	// FrozenHistory scores the input with the history the History files
	// built, without adding the input's own outcomes as it goes (by default
	// each declaration sees the outcomes of all earlier days, the input's
	// included, as an administration's database would hold them).
	FrozenHistory bool
	// Rep selects the random stream of the selectivity's random and expected
	// rates, as the simulator's replication does.
	Rep int
	// SkipBad goes on past bad rows, counting them (Tally.Bad) and passing
	// each to OnBad; otherwise the first bad row stops the run with its
	// *RowError.
	SkipBad bool
	OnBad   func(*RowError)
	// Progress, when set, receives the number of rows read, in batches.
	Progress *atomic.Int64
	// Each, when set, is called with every declaration after it is scored.
	Each func(*Decl)
	// Novelty, when set, is a key (field names, as a history key's parts)
	// that splits the tally: declarations whose key an earlier declaration
	// with a known outcome had (Tally.Seen) and the others (Tally.New), the
	// history's "before" (with FrozenHistory, the history files only). A
	// declaration with a part of the key missing counts as new.
	Novelty []string
}

// Run reads the history files, then scores every declaration of the input
// with the rule set and counts the outcomes.
func Run(ctx context.Context, cfg Config) (*Tally, error) {
	if cfg.Rules == nil || cfg.Mapping == nil {
		return nil, errors.New("backtest: Rules and Mapping are required")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	hist := NewHistory()
	t := NewTally(cfg.Rules.Engine.RuleIDs(), cfg.Mapping.ClassNames())
	novelty := -1
	if len(cfg.Novelty) > 0 {
		var err error
		if novelty, err = cfg.Rules.Schema.AddHistory(cfg.Novelty); err != nil {
			return nil, fmt.Errorf("novelty key: %w", err)
		}
		t.Novelty = strings.Join(cfg.Novelty, "+")
		t.Seen = NewTally(t.Rules, t.Classes)
		t.New = NewTally(t.Rules, t.Classes)
	}
	var d Decl
	for _, in := range cfg.History {
		n, err := read(ctx, &cfg, in, hist, t, &d, false, novelty)
		t.HistoryRows += n
		if err != nil {
			return t, err
		}
	}
	hist.Frozen = cfg.FrozenHistory
	_, err := read(ctx, &cfg, cfg.Input, hist, t, &d, true, novelty)
	return t, err
}

// read streams one file; score says whether its rows are scored or only
// enter the history; novelty is the history slot of Config.Novelty, or -1.
func read(ctx context.Context, cfg *Config, in Input, hist *History, t *Tally, d *Decl, score bool, novelty int) (int64, error) {
	rd, err := NewReader(in.Name, in.R, cfg.Mapping, cfg.Rules.Schema, hist)
	if err != nil {
		return 0, err
	}
	sel := cfg.Rules.NewSelector(cfg.Rep)
	var n, pending int64
	defer func() {
		if cfg.Progress != nil {
			cfg.Progress.Add(pending)
		}
	}()
	for {
		err := rd.Next(d)
		if err == io.EOF {
			break
		}
		pending++
		if pending == 4096 {
			if cfg.Progress != nil {
				cfg.Progress.Add(pending)
			}
			pending = 0
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) || !cfg.SkipBad {
				return n, err
			}
			t.Bad++
			if cfg.OnBad != nil {
				cfg.OnBad(re)
			}
			continue
		}
		n++
		if !score {
			continue
		}
		sel.Assess(cfg.Rules.Engine, &d.C, &d.X)
		t.Add(d)
		if novelty >= 0 {
			if d.X.Count[novelty] > 0 {
				t.Seen.Add(d)
			} else {
				t.New.Add(d)
			}
		}
		if cfg.Each != nil {
			cfg.Each(d)
		}
	}
	if err := sel.Err(); err != nil {
		return n, fmt.Errorf("%s: %w", in.Name, err)
	}
	return n, nil
}
