package main

import (
	"context"
	"errors"
	"fmt"

	"pilotsim/scenarios"
	"pilotsim/sim"
)

// validateScenario is the scenario half of `pilotsim validate FILE.yaml`: it
// loads the scenario with the --set overrides exactly as run would, prints
// "ok: NAME (N rules, M threats)" to stdout, or every problem to stderr, one
// per line with file, line, column, field path and what was expected, and
// then returns a bad-input error (exit code 2) that counts them. A valid
// scenario's warnings (Scenario.Warnings: e.g. a window of not whole weeks)
// go to stderr as "FILE: warning: …" (with --json, into the file's
// warnings) and it is still ok.
func validateScenario(v *vctx, path string, sets []string) error {
	sc, err := scenarios.Load(path, sets)
	if err != nil {
		var list *scenarios.ErrorList
		if !errors.As(err, &list) {
			return badInput(err) // unreadable file
		}
		for _, p := range *list {
			if v.json {
				v.file.Problems = append(v.file.Problems, validateProblem{Line: p.Line, Column: p.Column, Field: p.Path, Set: p.Set, Message: p.Msg})
			} else {
				fmt.Fprintln(v.e.stderr, p)
			}
		}
		v.file.ProblemCount = len(*list)
		return badInput(fmt.Errorf("%s: %s", path, problems(len(*list))))
	}
	v.file.Name, v.file.Rules, v.file.Threats = sc.Name, len(sc.Rules), len(sc.Threats)
	// Load checks everything a user can get wrong (sim.Compile trusts it):
	// a scenario Load accepts and Compile refuses is a bug (exit code 3).
	m, err := sim.Compile(sc)
	if err != nil {
		return err
	}
	// Expression rules that type-check can still fail on data: try them on
	// the first consignments, as run would meet them.
	if err := m.ProbeRules(context.Background(), probeConsignments); err != nil {
		if v.json {
			v.file.Problems = append(v.file.Problems, validateProblem{Message: err.Error()})
		} else {
			fmt.Fprintln(v.e.stderr, err)
		}
		v.file.ProblemCount = 1
		return badInput(fmt.Errorf("%s: %s", path, problems(1)))
	}
	// Legal but likely to bias the figures: warned about, still ok (exit 0).
	for _, w := range sc.Warnings() {
		if v.json {
			v.file.Warnings = append(v.file.Warnings, w)
		} else {
			fmt.Fprintf(v.e.stderr, "%s: warning: %s\n", path, w)
		}
	}
	return v.ok(fmt.Sprintf("ok: %s (%s, %s)", sc.Name, count(len(sc.Rules), "rule"), count(len(sc.Threats), "threat")))
}

// probeConsignments is how many consignments validate runs expression rules
// on (a few milliseconds).
const probeConsignments = 20_000

func problems(n int) string { return count(n, "problem") }

// count writes n things with the right plural.
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
