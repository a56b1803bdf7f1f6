package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"pilotsim/results"
	"pilotsim/scenarios"
	"pilotsim/sim"
)

// This file is what every command that writes a result folder shares: the
// inputs that go into its manifest, claiming the folder (a folder holding
// another study is refused unless --force), keeping finished units of work
// for a resumed run, and the manifest written last.

// declarationInputs are the inputs of a study of declaration files (backtest,
// learn --replay) for its manifest: the rules, the history files, the
// mapping (when given) and the file studied.
func declarationInputs(rules string, history []string, mapping, file string) ([]results.ManifestInput, error) {
	files := append([]string{rules}, history...)
	if mapping != "" {
		files = append(files, mapping)
	}
	return scenarioInputs(append(files, file)...)
}

// declarationReport is the report of a study of declaration files: its
// files, and a summary as text or JSON.
type declarationReport interface {
	WriteFiles(dir string) error
	WriteJSON(w io.Writer) error
	WriteText(w io.Writer) error
}

// writeDeclarationStudy writes rep's files into out when out is not ""
// (claiming the folder for the manifest man first, and writing man last),
// then prints rep on stdout, as JSON when asJSON.
func writeDeclarationStudy(e *env, rep declarationReport, out string, man *results.Manifest, force, asJSON bool) error {
	if out != "" {
		if err := claimResults(out, man, force); err != nil {
			return err
		}
		if err := rep.WriteFiles(out); err != nil {
			return err
		}
		if err := results.WriteManifest(out, man); err != nil {
			return err
		}
	}
	if asJSON {
		return rep.WriteJSON(e.stdout)
	}
	return rep.WriteText(e.stdout)
}

// scenarioInputs returns the manifest inputs of scenario files: each file
// with the SHA-256 of its content.
func scenarioInputs(paths ...string) ([]results.ManifestInput, error) {
	out := make([]results.ManifestInput, 0, len(paths))
	for _, p := range paths {
		sum, err := results.HashFile(p)
		if err != nil {
			return nil, badInput(err)
		}
		out = append(out, results.ManifestInput{File: filepath.ToSlash(p), SHA256: sum})
	}
	return out, nil
}

// studyOptions are the options of a study that change its results, for its
// manifest: the seed and replications when given.
func studyOptions(f *studyFlags, extra ...string) []string {
	var o []string
	if f.seed != nil {
		o = append(o, "seed="+strconv.FormatUint(*f.seed, 10))
	}
	if *f.reps > 0 {
		o = append(o, "reps="+strconv.Itoa(*f.reps))
	}
	return append(o, extra...)
}

// resumeDir holds a study's finished units of work until its manifest is
// written; resumeStudy names the study they belong to.
const (
	resumeDir   = ".pilotsim-partial"
	resumeStudy = "study.json"
)

// claimOutput prepares dir for the study m describes. A folder whose
// manifest or unfinished work belongs to another study (other inputs,
// overrides, options or build) is refused unless force, so that two studies
// never mix in one folder; with force the other study's unfinished work is
// dropped. The earlier manifest is removed: until the new one is written
// nothing in dir says complete.
func claimOutput(dir string, m *results.Manifest, force bool) error {
	if err := claimDir(dir, m, force); err != nil {
		return err
	}
	if err := results.BeginOutput(dir); err != nil {
		return err
	}
	part := filepath.Join(dir, resumeDir)
	if err := os.MkdirAll(part, 0o755); err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(part, results.ManifestFile), func(w io.Writer) error {
		return json.NewEncoder(w).Encode(m)
	})
}

// refuseOtherStudy refuses dir (bad input) when its manifest or unfinished
// work belongs to another study than m (other command, inputs, overrides,
// options or build: another inputs hash), unless force; with force the other
// study's unfinished work is dropped (its files are replaced as the new
// study writes its own). A folder without a manifest, or with this study's,
// is fine: re-running a study into its own folder overwrites it.
func refuseOtherStudy(dir string, m *results.Manifest, force bool) error {
	other := ""
	if inside := studyAbove(dir); inside != "" {
		other = inside
	} else if old, err := results.ReadManifest(dir); err == nil && old.Hash != m.Hash {
		other = fmt.Sprintf("%s holds the results of another %s (%s)", dir, old.Command, describeInputs(old))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		other = err.Error()
	}
	part := filepath.Join(dir, resumeDir)
	if old, err := results.ReadManifest(part); err == nil && old.Hash != m.Hash {
		other = fmt.Sprintf("%s holds the unfinished work of another %s (%s)", dir, old.Command, describeInputs(old))
	}
	if other == "" {
		return nil
	}
	if !force {
		return badInput(fmt.Errorf("%s; use another --out, or --force to replace it", other))
	}
	return os.RemoveAll(part)
}

// studyAbove says which study folder dir lies inside, "" when none: a
// result set written inside another's would be listed in that study's
// manifest the next time it is written, and mix two studies in one folder.
func studyAbove(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for p := filepath.Dir(abs); ; p = filepath.Dir(p) {
		if old, err := results.ReadManifest(p); err == nil {
			return fmt.Sprintf("%s is inside %s, which holds the results of a %s (%s)", dir, p, old.Command, describeInputs(old))
		}
		if filepath.Dir(p) == p {
			return ""
		}
	}
}

// refuseInsideStudy refuses (bad input) an output path inside another
// study's folder unless force, before anything is made there.
func refuseInsideStudy(path string, force bool) error {
	if inside := studyAbove(path); inside != "" && !force {
		return badInput(fmt.Errorf("%s; use another --out, or --force to write there", inside))
	}
	return nil
}

// claimDir is the part of claimOutput and claimResults that refuses a dir
// inside or holding another study (unless force) and makes the folder; a
// path that cannot be a folder is bad input.
func claimDir(dir string, m *results.Manifest, force bool) error {
	if err := refuseInsideStudy(dir, force); err != nil {
		return err
	}
	if err := results.MakeOutputDir(dir); err != nil {
		return badInput(err)
	}
	if err := refuseOtherStudy(dir, m, force); err != nil {
		return err
	}
	return nil
}

// claimResults prepares dir for a result set that is written at once (no
// resume): it refuses a path that is not a folder, and a folder holding or
// inside another study unless force (bad input), then removes the earlier
// manifest so that nothing says complete until the new one is written.
func claimResults(dir string, m *results.Manifest, force bool) error {
	if err := claimDir(dir, m, force); err != nil {
		return err
	}
	if err := results.BeginOutput(dir); err != nil {
		return badInput(err)
	}
	return nil
}

// claimNewResults is claimResults for a folder that may not exist yet: a
// folder holding another study's results (other inputs, overrides, options or
// build) is not overwritten without force, so two studies never mix in one
// folder (the same study again is fine). made reports whether the folder was
// created here: the caller removes it again if the study writes nothing.
func claimNewResults(dir string, m *results.Manifest, force bool) (made bool, err error) {
	_, statErr := os.Stat(dir)
	made = os.IsNotExist(statErr)
	if err := refuseInsideStudy(dir, force); err != nil {
		return false, err
	}
	if !made {
		if err := results.MakeOutputDir(dir); err != nil {
			return false, badInput(err)
		}
		if err := refuseOtherStudy(dir, m, force); err != nil {
			return false, err
		}
	}
	if err := results.BeginOutput(dir); err != nil {
		return false, badInput(err)
	}
	return made, nil
}

// describeInputs says briefly what a manifest's study ran.
func describeInputs(m *results.Manifest) string {
	s := ""
	for i, in := range m.Inputs {
		if i > 0 {
			s += ", "
		}
		s += in.File
	}
	if len(m.Sets) > 0 {
		s += fmt.Sprintf(" with %d --set", len(m.Sets))
	}
	if m.Pilotsim.ID() != results.CurrentBuild().ID() {
		s += ", another build of pilotsim"
	}
	return s
}

// unitFile is the resume file of unit k of a study.
func unitFile(dir string, k int) string {
	return filepath.Join(dir, resumeDir, fmt.Sprintf("unit-%04d.json", k))
}

// unitBatch describes unit k of a study (one scenario run) as a one-scenario
// batch: its id covers the scenario file's hash, overrides, seed and
// replications, so a resumed unit is reused only for the same inputs.
func unitBatch(k int, file, sha string, sets []string, seed uint64, reps int) *results.Batch {
	return results.NewBatch([]results.BatchScenario{{
		Name: "unit", Dir: fmt.Sprintf("unit-%04d", k), File: file, Sets: sets, SHA256: sha, Seed: seed, Replications: reps,
	}}, &seed)
}

// loadUnit returns the replications of unit k kept by an earlier run of the
// same study, or false. A unit written by another build, for other inputs,
// edited or incomplete is not reused (it is run again).
func loadUnit(dir string, k int, b *results.Batch) ([]results.Replication, bool) {
	s, err := results.ReadShardFile(unitFile(dir, k))
	if err != nil || s.Batch.ID != b.ID || s.Build.ID() != results.CurrentBuild().ID() || s.Complete() != nil {
		return nil, false
	}
	if s.Batch.SeedOverride == nil || *s.Batch.SeedOverride != *b.SeedOverride {
		return nil, false
	}
	out := make([]results.Replication, 0, len(s.Results))
	for _, r := range s.Results {
		out = append(out, r.Replication())
	}
	return out, true
}

// saveUnit keeps the replications of unit k for a resumed run.
func saveUnit(dir string, k int, b *results.Batch, m *sim.Model, reps []results.Replication) error {
	s := results.NewShard(b, 0, 1, [][]results.Metric{m.Metrics()})
	for _, r := range reps {
		s.Add(0, r)
	}
	return results.WriteShardFile(unitFile(dir, k), s)
}

// finishOutput writes dir's manifest, last, and drops the resume files.
func finishOutput(dir string, m *results.Manifest) error {
	if err := os.RemoveAll(filepath.Join(dir, resumeDir)); err != nil {
		return err
	}
	return results.WriteManifest(dir, m)
}

// classifyRunError marks what a failed run says about the input: an
// expression rule that failed on a consignment is the scenario's fault (bad
// input, exit 2).
func classifyRunError(err error) error {
	var re *sim.RuleError
	if errors.As(err, &re) {
		return badInput(err)
	}
	return err
}

// testHookUnitSaved, when set by a test, is called after unit k is kept.
var testHookUnitSaved func(k int)

// runUnit runs unit k of a study (scenario sc from file path with the
// overrides sets, compiled as m) into a report, or takes its replications
// from an earlier, interrupted run of the same study into dir, and keeps
// them there as soon as they are done.
func runUnit(ctx context.Context, e *env, dir string, k int, path string, sets []string, sc *scenarios.Scenario, m *sim.Model, f *studyFlags) (*results.Report, error) {
	sha, err := results.HashFile(path)
	if err != nil {
		return nil, badInput(err)
	}
	b := unitBatch(k, filepath.ToSlash(path), sha, sets, sc.Seed, sc.Replications)
	if reps, ok := loadUnit(dir, k, b); ok {
		fmt.Fprintf(e.stderr, "%s: finished in an earlier run into %s, not run again\n", sc.Name, dir)
		return results.NewReport(results.Run{Scenario: sc.Name, Seed: sc.Seed, Replications: sc.Replications}, m.Metrics(), reps)
	}
	r, err := runStudy(ctx, e, sc, m, nil, f)
	if err != nil {
		return nil, err
	}
	if err := saveUnit(dir, k, b, m, r.Reps); err != nil {
		return nil, err
	}
	if testHookUnitSaved != nil {
		testHookUnitSaved(k)
	}
	return r, nil
}
