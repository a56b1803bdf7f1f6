package deploy

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// buildPilotsim builds the command into a temporary directory.
func buildPilotsim(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds pilotsim and runs a batch: not with -short")
	}
	bin := filepath.Join(t.TempDir(), "pilotsim")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/pilotsim")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// e2eList writes a batch list of the small test scenario and a variant.
func e2eList(t *testing.T, dir string) string {
	t.Helper()
	small, err := filepath.Abs("../cmd/pilotsim/testdata/studies/small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	list := filepath.Join(dir, "list.txt")
	body := small + " replications=2\n" + small + " replications=2 selectivity.red=80\n" + small + " replications=3 resources.pools[nii].servers=5\n"
	if err := os.WriteFile(list, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return list
}

func runOK(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// sameFiles fails unless the two directories hold the same files, byte for byte.
func sameFiles(t *testing.T, want, got string) {
	t.Helper()
	read := func(dir string) map[string][]byte {
		m := map[string][]byte{}
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				m[rel], _ = os.ReadFile(p)
			}
			return err
		})
		return m
	}
	a, b := read(want), read(got)
	if len(a) == 0 {
		t.Fatalf("%s is empty", want)
	}
	var names []string
	for n := range a {
		names = append(names, n)
	}
	for n := range b {
		if _, ok := a[n]; !ok {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		if !bytes.Equal(a[n], b[n]) {
			t.Errorf("%s differs between the unsharded batch and the merged shards", n)
		}
	}
}

// The Slurm script, run as Slurm would run its array tasks and then the
// merge job task 0 submitted, gives the files of an unsharded batch.
func TestSlurmScriptEndToEnd(t *testing.T) {
	bin := buildPilotsim(t)
	dir := t.TempDir()
	list := e2eList(t, dir)
	runOK(t, dir, nil, bin, "batch", list, "--out", "whole", "--quiet")

	data, _ := os.ReadFile("slurm/batch.sbatch")
	n, _ := strconv.Atoi(regexp.MustCompile(`--array=0-(\d+)`).FindStringSubmatch(string(data))[1])
	n++
	// sbatch stand-in: remember the merge job's command.
	sb := filepath.Join(dir, "bin")
	os.Mkdir(sb, 0o755)
	os.WriteFile(filepath.Join(sb, "sbatch"), []byte("#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --wrap=*) printf '%s' \"${a#--wrap=}\" > merge-job.sh;; esac; done\n"), 0o755)
	abs, _ := filepath.Abs("slurm/batch.sbatch")
	for i := range n {
		runOK(t, dir, []string{
			"PATH=" + sb + ":" + os.Getenv("PATH"), "PILOTSIM=" + bin, "LIST=" + list, "OUT=out",
			"SLURM_ARRAY_JOB_ID=77", "SLURM_ARRAY_TASK_ID=" + strconv.Itoa(i), "SLURM_ARRAY_TASK_COUNT=" + strconv.Itoa(n),
		}, "bash", abs)
	}
	runOK(t, dir, nil, "sh", "merge-job.sh")
	sameFiles(t, filepath.Join(dir, "whole"), filepath.Join(dir, "out", "results"))
}

// The Kubernetes manifest's pods, run one by one with the volume as a
// directory, then its merge Job, give the files of an unsharded batch.
func TestKubernetesJobEndToEnd(t *testing.T) {
	bin := buildPilotsim(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	os.MkdirAll(filepath.Join(data, "scenarios"), 0o755)
	list := e2eList(t, filepath.Join(data, "scenarios"))
	runOK(t, dir, nil, bin, "batch", list, "--out", "whole", "--quiet")

	objs := readK8s(t, "kubernetes/indexed-job.yaml")
	var shardC, mergeC container
	var completions int
	for _, o := range objs {
		if o.Kind != "Job" {
			continue
		}
		c := o.Spec.Template.Spec.Containers[0]
		if c.Args[0] == "batch" {
			shardC, completions = c, *o.Spec.Completions
		} else {
			mergeC = c
		}
	}
	// The manifest points the shards at /data/scenarios (a directory); here
	// that directory holds the list file, which batch also accepts.
	vol := func(s string) string {
		if s == "/data/scenarios" {
			return list
		}
		if rest, ok := strings.CutPrefix(s, "/data/"); ok {
			return filepath.Join(data, rest)
		}
		return s
	}
	for i := range completions {
		vars := map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)}
		for _, e := range shardC.Env {
			if e.Value != "" {
				vars[e.Name] = e.Value
			}
		}
		var args []string
		for _, a := range shardC.Args {
			args = append(args, vol(expand(a, vars)))
		}
		runOK(t, dir, nil, bin, append(args, "--quiet")...)
	}
	var args []string
	for _, a := range mergeC.Args {
		args = append(args, vol(a))
	}
	runOK(t, dir, nil, bin, args...)
	sameFiles(t, filepath.Join(dir, "whole"), filepath.Join(data, "results"))
}
