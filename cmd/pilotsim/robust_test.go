package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"pilotsim/results"
)

// The robustness tests of issue 10: for each class of failure a user or an
// adversary can provoke, a table of inputs with the exit code and the
// message they must give. robustTally counts, per class, the cases and how
// many of them are exit 2 with a file line or a --set named (the figures the
// closing note of the issue asks for; go test -v -run TestRobust prints them).

// robustCase is one input: args (with {D} replaced by the case's folder),
// the exit code and a piece of the message it must give.
type robustCase struct {
	name string
	args []string
	code int
	want string
}

// namedRE finds a place in a message: FILE:LINE, "line N" or a --set.
var namedRE = regexp.MustCompile(`\.(yaml|yml|csv|gz|list|txt):\d+|line \d+|--set |--reps |--shard |--out `)

// robustDir makes a folder with the small scenario, a batch list of it and
// special files (a named pipe, a link to /dev/zero, a dangling link).
func robustDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	data := readFile(t, "testdata/small.yaml")
	if err := os.WriteFile(filepath.Join(d, "small.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "list.txt"), []byte("small.yaml\nsmall.yaml selectivity.red=80\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"fifo", "fifo.yaml", "fifo.csv"} {
		if err := syscall.Mkfifo(filepath.Join(d, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range map[string]string{"zero.json": "/dev/zero", "null.csv": "/dev/null", "dangling.csv": filepath.Join(d, "nowhere")} {
		if err := os.Symlink(target, filepath.Join(d, name)); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// writeIn writes content to dir/name and returns the path.
func writeIn(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runRobust runs the cases of one class and logs its tally.
func runRobust(t *testing.T, class, dir string, cases []robustCase) {
	t.Helper()
	named, file := 0, 0
	for _, tc := range cases {
		args := make([]string, len(tc.args))
		for i, a := range tc.args {
			args[i] = strings.ReplaceAll(a, "{D}", dir)
		}
		code, _, stderr := runCmd(context.Background(), args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: %s: exit %d, want %d with %q; stderr:\n%.600s", class, tc.name, code, tc.code, tc.want, stderr)
		}
		if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic:") {
			t.Errorf("%s: %s: a stack trace on stderr:\n%.600s", class, tc.name, stderr)
		}
		if len(stderr) > 4000 {
			t.Errorf("%s: %s: %d bytes on stderr; a message must not echo the input whole", class, tc.name, len(stderr))
		}
		if code == exitBadInput && namedRE.MatchString(stderr) {
			named++
		}
		if code == exitBadInput && strings.Contains(stderr, dir) {
			file++
		}
	}
	t.Logf("tally %s: %d cases, %d exit 2 with a line or a flag named, %d exit 2 naming the file", class, len(cases), named, file)
}

// TestRobustLimits: numbers past what memory and time allow are refused
// before any work, naming the line or --set, with the bound.
func TestRobustLimits(t *testing.T) {
	d := robustDir(t)
	t.Setenv(memoryLimitEnv, "1G")
	sm := "{D}/small.yaml"
	run := func(sets ...string) []string {
		a := []string{"run", sm, "--out", "{D}/out", "--quiet"}
		for _, s := range sets {
			a = append(a, "--set", s)
		}
		return a
	}
	huge := strings.Repeat("9", 400)
	cases := []robustCase{
		{"traders 1e8", run("traders.count=100000000"), 2, "at most 10000000"},
		{"traders 2^62", run("traders.count=4611686018427387904"), 2, "traders.count"},
		{"replications 1e9", run("replications=1000000000"), 2, "at most 100000"},
		{"--reps 1e9", []string{"run", sm, "--reps", "1000000000", "--out", "{D}/out"}, 2, "--reps 1000000000"},
		{"--reps through compare", []string{"compare", sm, sm, "--reps", "1000000000", "--out", "{D}/out"}, 2, "at most 100000"},
		{"horizon 100000d", run("horizon=100000d"), 2, "ten years"},
		{"horizon 1e300 minutes", run("horizon=1e300"), 2, "horizon"},
		{"drain 100000d", run("drain=100000d"), 2, "drain: 100000d is too long: at most 3650d (ten years)"},
		{"rate × horizon past the bound", run("traffic.sea.rate=1e9"), 2, "consignments expected per replication"},
		{"rate × horizon past memory (1 GB given)", run("traffic.sea.rate=1e4", "horizon=28d"), 2, "more than 1 GB (PILOTSIM_MEMORY)"},
		{"lodgement lead 1e12 minutes", run("traffic.sea.lodgement_lead={dist: const, value: 1e12}"), 2, "too large"},
		{"lognormal sigma 1e6", run("trade.value_per_kg={dist: lognormal, median: 5, sigma: 1e6}"), 2, "sigma"},
		{"servers 1e9", run("resources.pools[document].servers=1000000000"), 2, "at most 1000000"},
		{"score 1e300", run("rules[R1].score=1e300"), 2, "score"},
		{"hourly weights to infinity", run("traffic.sea.hourly=[1e308,1e308,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]"), 2, "sum must stay finite"},
		{"origin weight 1e300", run("trade.origins.CN=1e300"), 2, "too large"},
		{"signature ratio 1e300", run("threats[narcotics].signature.origin.CO=1e300"), 2, "too large"},
		{"value factor 1e-300", run("threats[undervaluation].signature.value_factor=1e-300"), 2, "too small"},
		{"duty 1e300", run("threats[undervaluation].duty={dist: const, value: 1e300}"), 2, "too large"},
		{"zipf 1e9", run("traders.zipf=1e9"), 2, "traders.zipf"},
		{"aeo factor 1e300", run("traders.aeo_prevalence_factor=1e300"), 2, "aeo_prevalence_factor"},
		{"a 400-digit number", run("traders.count=" + huge), 2, "traders.count"},
		{"shard 0/2000000000", []string{"batch", "{D}/list.txt", "--shard", "0/2000000000", "--out", "{D}/b"}, 2, "at most 100000 shards"},
		{"negative --reps", []string{"run", sm, "--reps", "-3"}, 2, "--reps -3"},
		{"10001 --set", append([]string{"validate", sm}, repeatSet(10001)...), 2, "at most 10000"},
		// Numbers that are not numbers, negative durations, past float64.
		{"rate NaN (text)", run("traffic.sea.rate=NaN"), 2, `--set traffic.sea.rate: want a number, got "NaN"`},
		{"rate .nan", run("traffic.sea.rate=.nan"), 2, "--set traffic.sea.rate: want a number (finite), got .nan"},
		{"rate -.inf", run("traffic.sea.rate=-.inf"), 2, "want a number (finite), got -.inf"},
		{"rate Infinity (text)", run("traffic.sea.rate=Infinity"), 2, `want a number, got "Infinity"`},
		{"rate 1e309", run("traffic.sea.rate=1e309"), 2, "beyond the largest number"},
		{"count 0x7fffffffffffffff", run("traders.count=0x7fffffffffffffff"), 2, "--set traders.count: want a whole number of at most 2^53"},
		{"count -5", run("traders.count=-5"), 2, "want at least 1 trader, got -5"},
		{"replications -1", run("replications=-1"), 2, "want at least 1 replication"},
		{"replications 1.5", run("replications=1.5"), 2, "want a whole number, got 1.5"},
		{"seed -1", run("seed=-1"), 2, "--set seed: want a whole number >= 0 below 2^64"},
		{"seed 1e30", run("seed=1e30"), 2, "below 2^64"},
		{"horizon -1d", run("horizon=-1d"), 2, "--set horizon: want a simulated time > 0"},
		{"warmup -1h", run("warmup=-1h"), 2, "--set warmup: want a duration >= 0, got -1h"},
		{"service mean -5m", run("resources.pools[document].service={dist: exp, mean: -5m}"), 2, "mean must be > 0"},
		{"assessment -1h", run("selectivity.assessment={dist: const, value: -1h}"), 2, "assessment time can be negative"},
		{"target -1h", run("targets.overall=-1h"), 2, "--set targets.overall: want a duration > 0"},
		{"lodgement lead -20 years", run("traffic.sea.lodgement_lead={dist: const, value: -7300d}"), 2, "ten years"},
		{"opening at 25h", run("resources.pools[physical].hours.open=25h"), 2, "want a time of day from 0h to 24h"},
		{"name of 1 MB", run("name=" + strings.Repeat("n", 1<<20)), 2, "--set name: a name of 1048576 bytes: at most 200"},
		{"threat name of 300 bytes", run("threats[0].name=" + strings.Repeat("t", 300)), 2, "at most 200"},
		{"--workers -1", []string{"run", sm, "--workers", "-1"}, 2, "--workers -1"},
		{"--reps 1e3", []string{"run", sm, "--reps", "1e3"}, 2, `invalid value "1e3" for flag -reps`},
		{"shard 3/2", []string{"batch", "{D}/list.txt", "--shard", "3/2", "--out", "{D}/b"}, 2, `--shard "3/2": want i/n with 0 <= i < n`},
		{"shard -1/2", []string{"batch", "{D}/list.txt", "--shard", "-1/2", "--out", "{D}/b"}, 2, "want i/n"},
		{"shard x", []string{"batch", "{D}/list.txt", "--shard", "x", "--out", "{D}/b"}, 2, "want i/n"},
	}
	runRobust(t, "limits", d, cases)
}

func repeatSet(n int) []string {
	out := make([]string, 0, 2*n)
	for range n {
		out = append(out, "--set", "seed=1")
	}
	return out
}

// TestRobustExpressions: expressions are type-checked when the scenario is
// compiled; what fails only on data is reported once with file, line and
// rule id, exit 2, and no --out is left behind.
func TestRobustExpressions(t *testing.T) {
	d := robustDir(t)
	sm := "{D}/small.yaml"
	expr := func(cmd, e string) []string {
		a := []string{cmd, "{D}/small.yaml", "--set", "rules[R3].when=null", "--set", "rules[R3].expr=" + e}
		if cmd == "run" {
			a = append(a, "--out", "{D}/never", "--quiet")
		}
		return a
	}
	var cases []robustCase
	for _, cmd := range []string{"run", "validate"} {
		cases = append(cases,
			robustCase{cmd + ": int of a country", expr(cmd, `int(origin) > 0`), 2, "small.yaml: --set rules[R3].expr: rule R3: its expression failed"},
			robustCase{cmd + ": integer division by zero", expr(cmd, `chapter % (chapter - chapter) == 0`), 2, "integer divide by zero"},
			robustCase{cmd + ": int of a string literal", expr(cmd, `int("CN") == 1`), 2, "rule R3"},
			robustCase{cmd + ": index out of range", expr(cmd, `'[1, 2][chapter] == 1'`), 2, "rule R3"},
			robustCase{cmd + ": unknown variable", expr(cmd, `nosuch == 1`), 2, "small.yaml: --set rules[R3].expr: rules[2].expr: expression does not type-check: unknown name nosuch (character 1 of the expression)"},
			robustCase{cmd + ": string plus int", expr(cmd, `origin + 1 > 2`), 2, "mismatched types"},
			robustCase{cmd + ": not a boolean", expr(cmd, `chapter + 1`), 2, "--set rules[R3].expr: rules[2].expr: expression does not type-check: it gives a whole number, not true or false"},
			robustCase{cmd + ": does not parse", expr(cmd, `origin ==`), 2, "rules[2].expr"},
		)
	}
	writeIn(t, d, "exprfile.yaml", strings.Replace(string(readFile(t, "testdata/small.yaml")),
		"{id: R3, description: new trader, score: 25, when: {new_trader: true}}", "{id: R3, description: new trader, score: 25, expr: 'int(origin) > 0'}", 1))
	cases = append(cases,
		robustCase{"run: an expression in the file fails on data", []string{"run", "{D}/exprfile.yaml", "--out", "{D}/never", "--quiet"}, 2, "exprfile.yaml:50: rule R3: its expression failed on consignment 0"},
		robustCase{"validate: an expression in the file fails on data", []string{"validate", "{D}/exprfile.yaml"}, 2, "exprfile.yaml:50: rule R3: its expression failed"},
		robustCase{"an empty expression", expr("validate", ""), 2, "small.yaml:50:5: rules[2]: rule has neither when nor expr"},
		robustCase{"an expression of 21 kB", expr("validate", strings.Repeat("aeo || ", 3000)+"aeo"), 2, "--set rules[R3].expr: rules[2].expr: an expression of 21003 bytes: at most 10000"},
		robustCase{"an expression the wrong type in the file", []string{"validate", writeIn(t, d, "exprtype.yaml", strings.Replace(string(readFile(t, "testdata/small.yaml")),
			"{id: R3, description: new trader, score: 25, when: {new_trader: true}}", "{id: R3, description: new trader, score: 25, expr: 'chapter == \"08\"'}", 1))}, 2, "exprtype.yaml:50:56: rules[2].expr: expression does not type-check: invalid operation: == (mismatched types int and string) (character 9 of the expression)"},
		robustCase{"a trader id past the population", []string{"validate", sm, "--set", "rules[R3].when={trader: [T000301]}"}, 2, `--set rules[R3].when: rules[2].when.trader[0]: trader "T000301" is not in the population of 300 traders`},
		robustCase{"a signature leaving no origin", []string{"validate", sm, "--set", "threats[narcotics].signature.origin={CN: 0, DE: 0, CO: 0, TR: 0, NL: 0}"}, 2, "leave no country of origin with a weight"},
		robustCase{"field criteria in a simulation", []string{"run", sm, "--set", "rules[R3].when={field: {name: office, in: [\"1\"]}}", "--out", "{D}/never"}, 2, "work in pilotsim backtest (--rules) only"},
	)
	cases = append(cases, robustCase{"generate: int of a country", []string{"generate", "{D}/small.yaml", "--set", "rules[R3].when=null", "--set", "rules[R3].expr=int(origin) > 0", "--out", "{D}/g.csv"}, 2, "rule R3"})
	runRobust(t, "expressions", d, cases)
	for _, p := range []string{"never", "g.csv"} {
		if _, err := os.Stat(filepath.Join(d, p)); err == nil {
			t.Errorf("%s was left behind by a failed run", p)
		}
	}
}

// TestRobustPaths: names from files stay inside --out; nothing that is not
// a regular file or folder is replaced or read.
func TestRobustPaths(t *testing.T) {
	d := robustDir(t)
	sm := "{D}/small.yaml"
	writeIn(t, d, "nosuch.csv", "") // backtest opens the mapping first
	cases := []robustCase{
		{"generate over a FIFO", []string{"generate", sm, "--out", "{D}/fifo", "--count", "3"}, 2, "named pipe"},
		{"generate over /dev/null link", []string{"generate", sm, "--out", "{D}/null.csv", "--count", "3"}, 2, "symbolic link"},
		{"generate through a dangling link", []string{"generate", sm, "--out", "{D}/dangling.csv", "--count", "3"}, 2, "symbolic link"},
		{"generate over a folder", []string{"generate", sm, "--out", "{D}", "--count", "3"}, 2, "a folder"},
		{"run --out a FIFO", []string{"run", sm, "--out", "{D}/fifo", "--quiet"}, 2, "want a folder"},
		{"run --out a file", []string{"run", sm, "--out", "{D}/small.yaml", "--quiet"}, 2, "want a folder"},
		{"merge a FIFO", []string{"merge", "{D}/fifo", "--out", "{D}/m"}, 2, "named pipe"},
		{"merge a link to /dev/zero", []string{"merge", "{D}/zero.json", "--out", "{D}/m"}, 2, "character device"},
		{"validate a FIFO scenario", []string{"validate", "{D}/fifo.yaml"}, 2, "named pipe"},
		{"run a /dev/zero scenario", []string{"run", "{D}/zero.json"}, 2, "character device"},
		{"batch list that is a FIFO", []string{"batch", "{D}/fifo", "--out", "{D}/b"}, 2, "named pipe"},
		{"a scenario that does not exist", []string{"validate", "{D}/nosuch.yaml"}, 2, "nosuch.yaml: no such file"},
		{"a mapping that does not exist", []string{"backtest", "--rules", sm, "--mapping", "{D}/nosuch-map.yaml", "{D}/nosuch.csv"}, 2, "nosuch-map.yaml: no such file"},
		{"a batch list naming a missing file", []string{"batch", writeIn(t, d, "miss.txt", "nosuch.yaml\n"), "--out", "{D}/b2"}, 2, "miss.txt:1: "},
		{"an empty batch list", []string{"batch", writeIn(t, d, "empty.txt", ""), "--out", "{D}/b3"}, 2, "the list names no scenario"},
		{"a batch list line of 2 MB", []string{"batch", writeIn(t, d, "long.txt", "small.yaml "+strings.Repeat("x", 2<<20)+"\n"), "--out", "{D}/b4"}, 2, "a line longer than 65536 bytes"},
		{"a bad --set in a batch list", []string{"batch", writeIn(t, d, "bset.txt", "small.yaml traders.count=abc\n"), "--out", "{D}/b5"}, 2, `small.yaml: --set traders.count: want a whole number, got "abc"`},
		{"generate's manifest path is a FIFO", []string{"generate", sm, "--count", "3", "--out", "{D}/fifo2.csv"}, 2, "fifo2.csv.manifest.json is a named pipe"},
		{"backtest --out a file", []string{"backtest", sm, "--out", "{D}/small.yaml", exampleCSV}, 2, "want a folder"},
	}
	if err := syscall.Mkfifo(filepath.Join(d, "fifo2.csv.manifest.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	runRobust(t, "paths", d, cases)

	// A scenario named ../../x writes under out/, in a folder of a safe name.
	wd := t.TempDir()
	t.Chdir(wd)
	code, _, stderr := runCmd(context.Background(), "run", filepath.Join(d, "small.yaml"), "--set", "name=../../escaped", "--reps", "1", "--quiet")
	if code != exitOK {
		t.Fatalf("run with a name ../../escaped: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(wd, "out", "---..-escaped", results.ManifestFile)); err != nil {
		t.Errorf("the run did not write out/---..-escaped: %v", err)
	}
	for _, p := range []string{filepath.Join(wd, "..", "escaped"), filepath.Join(wd, "escaped")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("the run wrote %s, outside out/", p)
		}
	}
	// compare under an explicit --out: sub-folders from names, made safe.
	out := filepath.Join(d, "cmp")
	code, _, stderr = runCmd(context.Background(), "compare", filepath.Join(d, "small.yaml"), filepath.Join(d, "small.yaml"),
		"--set", "name=../x", "--reps", "2", "--quiet", "--out", out)
	if code != exitOK {
		t.Fatalf("compare: exit %d\n%s", code, stderr)
	}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if !results.IsSafeName(e.Name()) && !strings.HasPrefix(e.Name(), ".") {
			t.Errorf("compare made %q under --out", e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(d, "x")); err == nil {
		t.Error("compare wrote outside --out")
	}
}

// TestRobustIntegrity: merge refuses edited shards, shards of another build,
// folder names that leave --out; every output ends with a manifest whose
// hashes match.
func TestRobustIntegrity(t *testing.T) {
	d := robustDir(t)
	shards := filepath.Join(d, "shards")
	for _, s := range []string{"0/2", "1/2"} {
		if code, _, stderr := runCmd(context.Background(), "batch", filepath.Join(d, "list.txt"), "--shard", s, "--reps", "2", "--quiet", "--out", shards); code != 0 {
			t.Fatalf("batch --shard %s: exit %d\n%s", s, code, stderr)
		}
	}
	shard0 := filepath.Join(shards, results.ShardFileName(0, 2))
	orig := readFile(t, shard0)
	// edit applies f to the shard's JSON and writes it as dir/name.
	edit := func(name string, f func(m map[string]any), rehash bool) string {
		var m map[string]any
		if err := json.Unmarshal(orig, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		data, _ := json.Marshal(m)
		if rehash {
			// A forger who recomputes the content hash and writes the
			// file as pilotsim would: the shard reads back, so other
			// checks must catch it.
			var s results.Shard
			if err := json.Unmarshal(data, &s); err != nil {
				t.Fatal(err)
			}
			s.ContentSHA256 = contentHashOf(t, &s)
			data, _ = json.Marshal(&s)
			data = append(data, '\n')
		}
		dir := filepath.Join(d, "edited-"+name)
		os.MkdirAll(dir, 0o755)
		p := filepath.Join(dir, results.ShardFileName(0, 2))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, results.ShardFileName(1, 2)), readFile(t, filepath.Join(shards, results.ShardFileName(1, 2))), 0o644)
		return dir
	}
	results0 := func(m map[string]any) []any { return m["results"].([]any) }
	value := edit("value", func(m map[string]any) {
		r := results0(m)[0].(map[string]any)
		r["values"].([]any)[0] = 0.123
	}, false)
	seed := edit("seed", func(m map[string]any) {
		m["batch"].(map[string]any)["scenarios"].([]any)[0].(map[string]any)["seed"] = 99
	}, false)
	metric := edit("metric", func(m map[string]any) {
		m["metrics"].([]any)[0].([]any)[0].(map[string]any)["name"] = "made.up"
	}, false)
	build := edit("build", func(m map[string]any) {
		m["build"].(map[string]any)["revision"] = "0000000000000000000000000000000000000000"
	}, true)
	binary := edit("binary", func(m map[string]any) {
		b := m["build"].(map[string]any)
		delete(b, "revision")
		delete(b, "modified")
		b["binary_sha256"] = strings.Repeat("0", 64)
	}, true)
	escape := edit("dir", func(m map[string]any) {
		m["batch"].(map[string]any)["scenarios"].([]any)[0].(map[string]any)["dir"] = "../../outside"
	}, true)
	cases := []robustCase{
		{"edited value", []string{"merge", value, "--out", "{D}/m1"}, 2, "edited or damaged"},
		{"edited seed", []string{"merge", seed, "--out", "{D}/m2"}, 2, "edited or damaged"},
		{"edited metric name", []string{"merge", metric, "--out", "{D}/m3"}, 2, "edited or damaged"},
		{"another build", []string{"merge", build, "--out", "{D}/m4"}, 2, "different builds"},
		{"folder name leaving --out", []string{"merge", escape, "--out", "{D}/m5"}, 2, "malformed shard file"},
		{"not a shard", []string{"merge", "{D}/small.yaml", "--out", "{D}/m6"}, 2, "not a pilotsim shard file"},
		{"another binary without VCS information", []string{"merge", binary, "--out", "{D}/m7"}, 2, "different builds"},
		{"an empty shard file", []string{"merge", writeIn(t, d, "empty.json", ""), "--out", "{D}/m8"}, 2, "empty.json: not a pilotsim shard file"},
		{"a truncated shard file", []string{"merge", writeIn(t, d, "cut.json", string(orig[:len(orig)/2])), "--out", "{D}/m9"}, 2, "cut.json: not a pilotsim shard file"},
		{"one shard of two", []string{"merge", shard0, "--out", "{D}/m10"}, 2, "missing"},
		{"the same shard twice", []string{"merge", shard0, shard0, "--out", "{D}/m11"}, 2, "1 of 2 shards missing: shard-0001-of-0002.json"},
	}
	runRobust(t, "integrity", d, cases)
	if _, err := os.Stat(filepath.Join(d, "outside")); err == nil {
		t.Error("merge wrote outside --out")
	}

	// A good merge ends with a manifest that verifies.
	merged := filepath.Join(d, "merged")
	if code, _, stderr := runCmd(context.Background(), "merge", shards, "--out", merged); code != 0 {
		t.Fatalf("merge: exit %d\n%s", code, stderr)
	}
	m, err := results.ReadManifest(merged)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Complete || len(m.Files) != 2*3+3+4 || m.Pilotsim.Go == "" {
		t.Errorf("manifest: complete %v, %d files, build %+v; want complete, 13 files (2 scenarios × 3, long.csv, results.xlsx, batch.json, the report: report.html, report.md and 2 charts) and the build", m.Complete, len(m.Files), m.Pilotsim)
	}
	if err := results.VerifyManifest(merged, m); err != nil {
		t.Error(err)
	}
	os.WriteFile(filepath.Join(merged, results.BatchManifestFile), []byte("{}"), 0o644)
	if err := results.VerifyManifest(merged, m); err == nil || !strings.Contains(err.Error(), "changed since") {
		t.Errorf("a changed batch.json verifies: %v", err)
	}
}

// contentHashOf is the content hash WriteShardFile would give s.
func contentHashOf(t *testing.T, s *results.Shard) string {
	t.Helper()
	c := *s
	c.ContentSHA256 = ""
	data, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return results.HashBytes(data)
}

// TestRobustYAMLMessages: the parser's jargon becomes words, with line and
// column; binary and non-UTF-8 files are named at the byte.
func TestRobustYAMLMessages(t *testing.T) {
	d := robustDir(t)
	files := map[string]string{
		"list.yaml":      "name: x\norigins: [CN, US\nhorizon: 3d\n",
		"map.yaml":       "name: x\nt: {a: 1\n",
		"tab.yaml":       "name: x\n\thorizon: 3d\n",
		"quote.yaml":     "name: \"x\nhorizon: 3d\n",
		"colon.yaml":     "a: b: c\n",
		"utf8.yaml":      "name: x\nh: \xff\xfe\n",
		"nul.yaml":       "name: x\x00\n",
		"at.yaml":        "name: @x\n",
		"alias.yaml":     "a:\n- 1\nb: *zz\n",
		"escape.yaml":    "name: \"a\\qb\"\n",
		"indent.yaml":    "name: x\n  horizon: 3d\n",
		"binary.yaml":    "\x7fELF\x02\x01\x01\x00\x00",
		"dash.yaml":      "name: x\n  - y\n",
		"seconddoc.yaml": "name: x\n---\nname: y\n",
	}
	for n, c := range files {
		writeIn(t, d, n, c)
	}
	v := func(f string) []string { return []string{"validate", "{D}/" + f} }
	cases := []robustCase{
		{"unclosed [", v("list.yaml"), 2, "list.yaml:2:10: a list opened with [ is not closed"},
		{"unclosed {", v("map.yaml"), 2, "map.yaml:2:4: a map opened with { is not closed"},
		{"tab", v("tab.yaml"), 2, "tab.yaml:2:1: a tab in the indentation"},
		{"unclosed quote", v("quote.yaml"), 2, "quote.yaml:1:7: a string opened with \" is not closed"},
		{"two colons", v("colon.yaml"), 2, "colon.yaml:1:5: a colon where no key can start"},
		{"invalid UTF-8", v("utf8.yaml"), 2, "utf8.yaml:2:4: byte 0xFF is not UTF-8 text"},
		{"NUL byte", v("nul.yaml"), 2, "nul.yaml:1:8: a NUL byte"},
		{"@ at a value", v("at.yaml"), 2, "at.yaml:1:7: a value cannot start with this character"},
		{"alias without anchor", v("alias.yaml"), 2, "alias.yaml:3:4: the alias *zz names no anchor"},
		{"unknown escape", v("escape.yaml"), 2, "escape.yaml:1:9: an unknown escape"},
		{"bad indentation", v("indent.yaml"), 2, "indent.yaml:2:10: a colon where no key can start"},
		{"an executable", v("binary.yaml"), 2, "binary.yaml:1:1: control character U+007F"},
		{"list under a scalar", v("dash.yaml"), 2, "dash.yaml:"},
		{"two documents", v("seconddoc.yaml"), 2, "seconddoc.yaml:2:1: a scenario file holds one YAML document"},
		{"--set value unclosed [", []string{"validate", "{D}/small.yaml", "--set", "horizon=[1d"}, 2, "--set horizon: value \"[1d\", character 1: a list opened with [ is not closed"},
		{"--set value not UTF-8", []string{"validate", "{D}/small.yaml", "--set", "name=a\xffb"}, 2, "not UTF-8 text"},
		{"--set huge value", []string{"validate", "{D}/small.yaml", "--set", "name=[" + strings.Repeat("x", 1<<20)}, 2, "bytes)"},
		{"--set huge path", []string{"validate", "{D}/small.yaml", "--set", strings.Repeat("p", 1<<20) + "=1"}, 2, "bytes)"},
	}
	runRobust(t, "yaml", d, cases)
}

// TestRobustCSV: a huge line, in a file or in a small .csv.gz, is refused
// without reading it into memory, and a huge field is never echoed whole.
func TestRobustCSV(t *testing.T) {
	d := robustDir(t)
	header := strings.SplitN(string(readFile(t, exampleCSV)), "\n", 2)[0]
	writeIn(t, d, "long.csv", header+"\n"+strings.Repeat("x", 3<<20)+"\n")
	writeIn(t, d, "quote.csv", header+"\n\""+strings.Repeat("ab\n", 1<<20)+"\n")
	writeIn(t, d, "field.csv", header+"\n"+strings.Repeat("y", 500_000)+strings.Repeat(",", strings.Count(header, ","))+"\n")
	cases := []robustCase{
		{"a 3 MB line", []string{"validate", "{D}/long.csv"}, 2, "line 2: a row longer than 1048576 bytes"},
		{"an open quote over 3 MB of lines", []string{"validate", "{D}/quote.csv"}, 2, "line 2: a row longer than"},
		{"a 500 kB field", []string{"validate", "{D}/field.csv"}, 2, "bytes)"},
		{"backtest of a 3 MB line", []string{"backtest", "{D}/small.yaml", "{D}/long.csv"}, 2, "line 2: a row longer than"},
		{"a FIFO as declarations", []string{"validate", "{D}/fifo.csv"}, 2, "named pipe"},
		{"a link to /dev/null as declarations", []string{"validate", "{D}/null.csv"}, 2, "character device"},
		{"backtest of a FIFO", []string{"backtest", "{D}/small.yaml", "{D}/fifo.csv"}, 2, "named pipe"},
	}
	runRobust(t, "csv", d, cases)
}

// TestRobustExitCodes: a bug is exit 3 with "please report" (the stack only
// under PILOTSIM_DEBUG=1), SIGTERM 143, SIGINT 130.
func TestRobustExitCodes(t *testing.T) {
	commands["test-panic"] = command{"panics (test only)", func(context.Context, *env, []string) error { panic("boom") }}
	defer delete(commands, "test-panic")
	code, _, stderr := runCmd(context.Background(), "test-panic")
	if code != exitInternal || !strings.Contains(stderr, "please report") || strings.Contains(stderr, "goroutine") {
		t.Errorf("panic: exit %d, stderr %q; want %d, please report, no stack", code, stderr, exitInternal)
	}
	t.Setenv(debugEnv, "1")
	if code, _, stderr := runCmd(context.Background(), "test-panic"); code != exitInternal || !strings.Contains(stderr, "goroutine") {
		t.Errorf("panic with %s=1: exit %d; want the stack:\n%s", debugEnv, code, stderr)
	}
	for _, c := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGTERM, exitTerminated}, {syscall.SIGINT, exitInterrupted}} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(signalCause{c.sig})
		code, _, stderr := runCmd(ctx, "run", "testdata/small.yaml", "--out", t.TempDir(), "--quiet")
		if code != c.want {
			t.Errorf("%v: exit %d, want %d\n%s", c.sig, code, c.want, stderr)
		}
	}
	if code, _, _ := runCmd(context.Background(), "run", "testdata/small.yaml", "--reps", "x"); code != exitBadInput {
		t.Errorf("a bad flag: exit %d, want %d", code, exitBadInput)
	}
	if got := fmt.Sprint(exitOK, exitFailed, exitBadInput, exitInternal, exitInterrupted, exitTerminated); got != "0 1 2 3 130 143" {
		t.Errorf("exit codes %s, want 0 1 2 3 130 143 (README)", got)
	}
}

// TestRobustFiles: the shape of a scenario or CSV file rather than its
// values: empty files, duplicate keys, alias bombs ("billion laughs"), deep
// nesting, very long lines, damaged gzip. Each is exit 2 with the line, or a
// clear message about the file. Files a user may well have (a UTF-8 byte
// order mark, Windows line ends, names in any script) must not be refused.
func TestRobustFiles(t *testing.T) {
	d := robustDir(t)
	small := string(readFile(t, "testdata/small.yaml"))
	csvLines := strings.SplitN(string(readFile(t, exampleCSV)), "\n", 3)
	header, row := csvLines[0], csvLines[1]
	field := func(row string, i int, v string) string {
		f := strings.Split(row, ",")
		f[i] = v
		return strings.Join(f, ",")
	}
	w := func(name, content string) string { return writeIn(t, d, name, content) }
	v := func(name, content string) []string { return []string{"validate", w(name, content)} }
	// Criteria nest (any: [criteria…]), so a chain of anchors, each any of
	// ten of the one before, is valid at every level: 10^8 criteria.
	laughs := "x:\n  a: &a {any: [" + strings.TrimSuffix(strings.Repeat("{aeo: true}, ", 10), ", ") + "]}\n"
	for i, c := range "bcdefgh" {
		prev := string("abcdefgh"[i])
		laughs += "  " + string(c) + ": &" + string(c) + " {any: [" + strings.TrimSuffix(strings.Repeat("*"+prev+", ", 10), ", ") + "]}\n"
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(header + "\n" + row + "\n"))
	zw.Close()
	cases := []robustCase{
		{"an empty scenario file", v("empty.yaml", ""), 2, "empty.yaml:1:1: name: missing"},
		{"comments only", v("comments.yaml", "# nothing\n# here\n"), 2, "comments.yaml:1:1: name: missing"},
		{"a key given twice", v("dup.yaml", small+"horizon: 4d\n"), 2, `dup.yaml:71:1: horizon: field "horizon" given twice`},
		{"a nested key given twice", v("dupn.yaml", strings.Replace(small, "  count: 300\n", "  count: 300\n  count: 400\n", 1)), 2, `dupn.yaml:18:3: traders.count: field "count" given twice`},
		{"a map key given twice", v("dupm.yaml", strings.Replace(small, "{CN: 10,", "{CN: 10, CN: 3,", 1)), 2, `trade.origins.CN: key "CN" given twice`},
		{"billion laughs (10^8 values through aliases)", v("laughs.yaml", strings.Replace(small, "rules:\n", laughs+"rules:\n  - {id: L, score: 1, when: *h}\n", 1)), 2, "document too large (more than 100000 values, counting aliases)"},
		{"an alias to its own list", v("self.yaml", "name: x\nrules: &r [{id: S, score: 1, when: {any: *r}}]\n"), 2, `self.yaml:2:13: rules[0].when.any[0].id: unknown field "id"`},
		{"lists nested 9000 deep", v("deep.yaml", strings.Replace(small, "name: small", "name: "+strings.Repeat("[", 9000)+strings.Repeat("]", 9000), 1)), 2, "deep.yaml:5:7: name: want a string, got a list"},
		{"lists nested 20000 deep", v("deeper.yaml", "name: "+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+"\n"), 2, "deeper.yaml:1: lists and maps nested more than 10000 deep"},
		{"a 2 MB line", v("longline.yaml", small+"description: "+strings.Repeat("d", 2<<20)+"\n"), 2, "longline.yaml:71:14: description: a description of 2097152 bytes: at most 65536"},
		{"a 20 MB scenario", v("huge.yaml", small+"# "+strings.Repeat("#", 20<<20)+"\n"), 2, "huge.yaml: file too large"},
		{"a UTF-16 file cut short", v("utf16.yaml", "\xff\xfen\x00a\x00m\x00e\x00:\x00 \x00x"), 2, "utf16.yaml:1: the file is UTF-16 text that is cut short or damaged"},
		{"an empty CSV", v("empty.csv", ""), 2, "empty.csv:1: header: the file is empty"},
		{"a CSV column named twice", v("duph.csv", header+",ucr\n"+row+",x\n"), 2, "duph.csv:1: header: column(s) named twice: ucr"},
		{"NaN as a customs value", v("nan.csv", header+"\n"+field(row, 19, "NaN")+"\n"), 2, "nan.csv:2"},
		{"Inf as a gross weight", v("inf.csv", header+"\n"+field(row, 18, "+Inf")+"\n"), 2, "inf.csv:2"},
		{"a negative gross weight", v("neg.csv", header+"\n"+field(row, 18, "-5")+"\n"), 2, "neg.csv:2"},
		{"1e400 as a customs value", v("big.csv", header+"\n"+field(row, 19, "1e400")+"\n"), 2, "big.csv:2"},
		{"backtest of a .gz that is not gzip", []string{"backtest", "{D}/small.yaml", w("notgz.csv.gz", "plain text")}, 2, "notgz.csv.gz"},
		{"backtest of a cut .gz", []string{"backtest", "{D}/small.yaml", w("cut.csv.gz", gz.String()[:gz.Len()/2])}, 2, "cut.csv.gz"},
	}
	runRobust(t, "files", d, cases)

	accepted := []robustCase{
		{"a UTF-8 byte order mark", v("bom.yaml", "\xef\xbb\xbf"+small), 0, ""},
		{"Windows line ends", v("crlf.yaml", strings.ReplaceAll(small, "\n", "\r\n")), 0, ""},
		{"names in Chinese and Japanese", v("uni.yaml", strings.ReplaceAll(strings.Replace(small, "name: small", "name: 海关试点", 1), "narcotics", "麻薬")), 0, ""},
		{"an expression comparing with non-ASCII text", []string{"validate", "{D}/small.yaml", "--set", "rules[R3].when=null", "--set", `rules[R3].expr=origin == "中国"`}, 0, ""},
		{"a CSV with a byte order mark", v("bom.csv", "\xef\xbb\xbf"+header+"\n"+row+"\n"), 0, ""},
		{"a CSV with Windows line ends", v("crlf.csv", header+"\r\n"+row+"\r\n"), 0, ""},
		{"run with a name holding a slash and Chinese", []string{"run", "{D}/small.yaml", "--set", "name=海关/试点", "--reps", "1", "--quiet", "--out", "{D}/u"}, 0, ""},
	}
	runRobust(t, "accepted", d, accepted)
}
