package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"pilotsim/datamodel"
)

const generateReference = "../../scenarios/examples/reference.yaml"

// generateRun runs pilotsim with args and returns the exit code and stderr.
func generateRun(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stderr.String()
}

func TestGenerateSameSeedSameBytes(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv"), filepath.Join(dir, "c.csv")
	for _, f := range []string{a, b} {
		if code, errs := generateRun(t, "generate", generateReference, "--out", f, "--count", "400", "--rep", "3"); code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
	}
	if code, errs := generateRun(t, "generate", "--rep", "4", generateReference, "--count", "400", "--out", c); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	dc, _ := os.ReadFile(c)
	if len(da) == 0 || !bytes.Equal(da, db) {
		t.Fatalf("two runs with the same seed differ (%d and %d bytes)", len(da), len(db))
	}
	if bytes.Equal(da, dc) {
		t.Fatal("replications 3 and 4 give the same file")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestGenerateReadsBack: the file is a declarations CSV that datamodel reads
// without a problem, followed by the risk engine's verdict and the ground
// truth, consistent with the reference scenario's thresholds (red 60, yellow
// 40) and random rate (red only, AEO exempt).
func TestGenerateReadsBack(t *testing.T) {
	out := filepath.Join(t.TempDir(), "decl.csv")
	if code, errs := generateRun(t, "generate", generateReference, "--out", out, "--count", "3000"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := datamodel.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(r.Unknown(), ","), strings.Join(generateExtra, ","); got != want {
		t.Fatalf("extra columns %s, want %s", got, want)
	}
	col := map[string]int{}
	for i, h := range r.Unknown() {
		col[h] = i
	}
	threats := map[string]bool{"": true, "narcotics": true, "weapons": true, "counterfeit": true, "undervaluation": true}
	lanes := map[string]int{}
	n, newTraders := 0, 0
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		n++
		if err != nil {
			t.Fatalf("row %d: %v", n, err)
		}
		x := r.Extra()
		score, err := strconv.ParseFloat(x[col["score"]], 64)
		if err != nil {
			t.Fatalf("row %d: score %q", n, x[col["score"]])
		}
		lane, reason := x[col["lane"]], x[col["reason"]]
		lanes[lane+"/"+reason]++
		ok := true
		switch lane + "/" + reason {
		case "red/score":
			ok = score >= 60
		case "yellow/score":
			ok = score >= 40 && score < 60
		case "green/score":
			ok = score < 40
		case "red/random":
			ok = score < 60 && !rec.AEO
		default:
			ok = false
		}
		if !ok {
			t.Fatalf("row %d: score %v, lane %s, reason %s, AEO %v: not what the reference selectivity gives", n, score, lane, reason, rec.AEO)
		}
		if x[col["rules"]] == "" && score != 0 && !(rec.AEO && score == -30) {
			t.Fatalf("row %d: score %v (AEO %v) but no rule matched", n, score, rec.AEO)
		}
		// The reference's R05 fires on exactly the new traders.
		isNew, r05 := x[col["new_trader"]], slices.Contains(strings.Split(x[col["rules"]], ";"), "R05")
		if (isNew != "yes" && isNew != "no") || (isNew == "yes") != r05 {
			t.Fatalf("row %d: new_trader %q but R05 matched %v", n, isNew, r05)
		}
		if isNew == "yes" {
			newTraders++
		}
		th, clean, duty := x[col["true_threat"]], x[col["true_clean"]], x[col["true_duty"]]
		if !threats[th] || (th == "") != (clean == "") || duty != "" {
			t.Fatalf("row %d: threat %q clean %q duty %q (the reference has no revenue threat)", n, th, clean, duty)
		}
	}
	if n != 3000 {
		t.Errorf("%d rows, want 3000", n)
	}
	if code, errs := generateRun(t, "validate", out); code != 0 {
		t.Errorf("pilotsim validate on the generated file: exit %d: %s", code, errs)
	}
	if lanes["red/score"] == 0 || lanes["red/random"] == 0 || lanes["yellow/score"] == 0 || newTraders == 0 {
		t.Errorf("lanes %v, %d new traders: the test does not see every kind", lanes, newTraders)
	}
}

func TestGenerateBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: x\nhorizon: 1d\nbogus: 1\n"), 0o644)
	out := filepath.Join(dir, "out.csv")
	for _, tc := range []struct {
		why  string
		args []string
		want string
	}{
		{"bad scenario", []string{"generate", bad, "--out", out}, "bad.yaml"},
		{"missing file", []string{"generate", filepath.Join(dir, "none.yaml"), "--out", out}, "none.yaml"},
		{"no --out", []string{"generate", generateReference}, "--out"},
		{"bad --set", []string{"generate", generateReference, "--out", out, "--set", "traffic.sea.rate=-1"}, "rate"},
		{"negative count", []string{"generate", generateReference, "--out", out, "--count", "-2"}, "--count"},
	} {
		code, errs := generateRun(t, tc.args...)
		if code != exitBadInput || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 naming %q", tc.why, code, errs, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%s: output file written", tc.why)
		}
	}
}

func TestGenerateSetChangesOutput(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	generateRun(t, "generate", generateReference, "--out", a, "--count", "50")
	if code, errs := generateRun(t, "generate", generateReference, "--out", b, "--count", "50", "--set", "seed=7"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	if bytes.Equal(da, db) {
		t.Error("--set seed=7 gives the same declarations")
	}
}

// generateTruth writes the declarations of scenario (with sets) and returns
// the ground-truth columns of each row: threat, clean and duty.
func generateTruth(t *testing.T, scenario string, sets ...string) (threat, clean, duty []string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "decl.csv")
	args := []string{"generate", scenario, "--out", out, "--count", "30000"}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	if code, errs := generateRun(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	return csvColumn(t, out, "true_threat"), csvColumn(t, out, "true_clean"), csvColumn(t, out, "true_duty")
}

// TestGenerateGroundTruthCommonRandomNumbers checks, on generate's output for
// the seaport example, the coupling of the ground truth: parameters that
// cannot change which consignments are irregular (resources, rules,
// selectivity, detection, duty amounts) leave every row's threat and clean
// flag as they were; raising one threat's prevalence only adds cases of that
// threat; the AEO programme (more AEO traders, overall prevalence held
// fixed) keeps most of the baseline's cases, each with the same threat,
// clean flag and duty.
func TestGenerateGroundTruthCommonRandomNumbers(t *testing.T) {
	const seaport, aeo = "../../scenarios/examples/seaport.yaml", "../../scenarios/examples/aeo-programme.yaml"
	thA, clA, duA := generateTruth(t, seaport)
	irregular := 0
	for _, th := range thA {
		if th != "" {
			irregular++
		}
	}
	if irregular < 100 {
		t.Fatalf("only %d irregular rows: the test proves little", irregular)
	}

	thB, clB, duB := generateTruth(t, seaport, "resources.pools[physical].servers=5", "selectivity.red=40",
		"rules[S01].score=90", "threats[narcotics].detection.physical=0.5", "threats[undervaluation].duty.median=100")
	dutyChanged := 0
	for i := range thA {
		if thA[i] != thB[i] || clA[i] != clB[i] {
			t.Fatalf("row %d: truth %q/%q became %q/%q", i+1, thA[i], clA[i], thB[i], clB[i])
		}
		if duA[i] != duB[i] {
			if thA[i] != "undervaluation" {
				t.Fatalf("row %d (%q): duty %s became %s", i+1, thA[i], duA[i], duB[i])
			}
			dutyChanged++
		}
	}
	if dutyChanged == 0 {
		t.Fatal("undervaluation's duty median changed but no duty did")
	}

	thC, clC, duC := generateTruth(t, seaport, "threats[counterfeit].prevalence=0.006")
	added := 0
	for i := range thA {
		switch {
		case thA[i] == "counterfeit":
			if thC[i] != "counterfeit" || clC[i] != clA[i] {
				t.Fatalf("row %d: a counterfeit case became %q/%q", i+1, thC[i], clC[i])
			}
		case thC[i] == "counterfeit":
			added++
		case thC[i] != thA[i] || clC[i] != clA[i] || duC[i] != duA[i]:
			t.Fatalf("row %d: %q/%q/%s became %q/%q/%s", i+1, thA[i], clA[i], duA[i], thC[i], clC[i], duC[i])
		}
	}
	if added == 0 {
		t.Fatal("tripling counterfeit's prevalence added no case")
	}

	// aeo-programme changes who is an AEO and holds the overall prevalence
	// fixed (traders.prevalence: overall), so each trader class's
	// prevalence moves: a class whose prevalence rose gains cases, one whose
	// prevalence fell loses some. A consignment irregular in both scenarios
	// carries the same threat, clean share and duty in both.
	thD, clD, duD := generateTruth(t, aeo)
	shared := 0
	for i := range thA {
		if thD[i] == "" || thA[i] == "" {
			continue
		}
		if thD[i] != thA[i] || clD[i] != clA[i] || duD[i] != duA[i] {
			t.Fatalf("row %d: aeo-programme has %q/%q/%s, seaport %q/%q/%s", i+1, thD[i], clD[i], duD[i], thA[i], clA[i], duA[i])
		}
		shared++
	}
	if shared < irregular/2 {
		t.Fatalf("aeo-programme keeps %d of seaport's %d irregular consignments, want most", shared, irregular)
	}
}
