package deploy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The Kubernetes objects, as far as the manifest uses them. Decoding is strict
// (KnownFields), so a misspelt field — which kubectl would reject or, worse,
// ignore — fails the test. Field names follow the Kubernetes API reference.
type k8sObject struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Metadata   metadata `yaml:"metadata"`
	Spec       spec     `yaml:"spec"`
}

type metadata struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels"`
}

// spec is the union of PersistentVolumeClaimSpec and JobSpec fields in use.
type spec struct {
	// PersistentVolumeClaimSpec
	AccessModes []string  `yaml:"accessModes"`
	Resources   resources `yaml:"resources"`
	// JobSpec
	CompletionMode       string      `yaml:"completionMode"`
	Completions          *int        `yaml:"completions"`
	Parallelism          *int        `yaml:"parallelism"`
	BackoffLimit         *int        `yaml:"backoffLimit"`
	BackoffLimitPerIndex *int        `yaml:"backoffLimitPerIndex"`
	MaxFailedIndexes     *int        `yaml:"maxFailedIndexes"`
	Template             podTemplate `yaml:"template"`
}

type resources struct {
	Requests map[string]string `yaml:"requests"`
	Limits   map[string]string `yaml:"limits"`
}

type podTemplate struct {
	Metadata metadata `yaml:"metadata"`
	Spec     podSpec  `yaml:"spec"`
}

type podSpec struct {
	RestartPolicy  string      `yaml:"restartPolicy"`
	InitContainers []container `yaml:"initContainers"`
	Containers     []container `yaml:"containers"`
	Volumes        []volume    `yaml:"volumes"`
}

type container struct {
	Name         string        `yaml:"name"`
	Image        string        `yaml:"image"`
	Command      []string      `yaml:"command"`
	Args         []string      `yaml:"args"`
	Env          []envVar      `yaml:"env"`
	Resources    resources     `yaml:"resources"`
	VolumeMounts []volumeMount `yaml:"volumeMounts"`
}

type envVar struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value"`
	ValueFrom *struct {
		FieldRef struct {
			FieldPath string `yaml:"fieldPath"`
		} `yaml:"fieldRef"`
	} `yaml:"valueFrom"`
}

type volumeMount struct {
	Name      string `yaml:"name"`
	MountPath string `yaml:"mountPath"`
}

type volume struct {
	Name                  string `yaml:"name"`
	PersistentVolumeClaim *struct {
		ClaimName string `yaml:"claimName"`
	} `yaml:"persistentVolumeClaim"`
}

func readK8s(t *testing.T, path string) []k8sObject {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var objs []k8sObject
	for {
		var o k8sObject
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: document %d: %v", path, len(objs)+1, err)
		}
		objs = append(objs, o)
	}
	return objs
}

func (c container) env(name string) (envVar, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e, true
		}
	}
	return envVar{}, false
}

// expand does what the kubelet does to command and args: $(VAR) becomes the
// value of VAR from the container's env.
func expand(s string, vars map[string]string) string {
	return regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`).ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// mountedClaim returns the claim mounted at path in c, or "".
func mountedClaim(ps podSpec, c container, path string) string {
	for _, m := range c.VolumeMounts {
		if m.MountPath != path {
			continue
		}
		for _, v := range ps.Volumes {
			if v.Name == m.Name && v.PersistentVolumeClaim != nil {
				return v.PersistentVolumeClaim.ClaimName
			}
		}
	}
	return ""
}

func TestKubernetesIndexedJob(t *testing.T) {
	const path = "kubernetes/indexed-job.yaml"
	objs := readK8s(t, path)
	byKind := map[string][]k8sObject{}
	for _, o := range objs {
		if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
			t.Errorf("%s: an object without apiVersion, kind or metadata.name: %+v", path, o.Metadata)
		}
		byKind[o.Kind] = append(byKind[o.Kind], o)
	}
	if len(byKind["PersistentVolumeClaim"]) != 1 || len(byKind["Job"]) != 2 {
		t.Fatalf("%s: want one PersistentVolumeClaim and two Jobs (shards, merge), got %d and %d",
			path, len(byKind["PersistentVolumeClaim"]), len(byKind["Job"]))
	}
	pvc := byKind["PersistentVolumeClaim"][0]
	if pvc.APIVersion != "v1" {
		t.Errorf("PersistentVolumeClaim apiVersion = %q, want v1", pvc.APIVersion)
	}
	if !slices.Contains(pvc.Spec.AccessModes, "ReadWriteMany") {
		t.Errorf("the shared volume must be ReadWriteMany (all shard pods write at once), got %v", pvc.Spec.AccessModes)
	}
	if pvc.Spec.Resources.Requests["storage"] == "" {
		t.Error("the PersistentVolumeClaim requests no storage")
	}

	var shardJob, mergeJob *k8sObject
	for i, j := range byKind["Job"] {
		if j.APIVersion != "batch/v1" {
			t.Errorf("Job %s: apiVersion = %q, want batch/v1", j.Metadata.Name, j.APIVersion)
		}
		if p := j.Spec.Template.Spec.RestartPolicy; p != "Never" && p != "OnFailure" {
			t.Errorf("Job %s: restartPolicy %q, a Job needs Never or OnFailure", j.Metadata.Name, p)
		}
		if len(j.Spec.Template.Spec.Containers) != 1 {
			t.Fatalf("Job %s: want one container", j.Metadata.Name)
		}
		switch j.Spec.Template.Spec.Containers[0].Args[0] {
		case "batch":
			shardJob = &byKind["Job"][i]
		case "merge":
			mergeJob = &byKind["Job"][i]
		}
	}
	if shardJob == nil || mergeJob == nil {
		t.Fatal("want a Job running `pilotsim batch` and a Job running `pilotsim merge`")
	}

	// The shard Job: Indexed, n completions, each pod runs shard INDEX/n.
	s := shardJob.Spec
	if s.CompletionMode != "Indexed" {
		t.Errorf("shard Job: completionMode = %q, want Indexed", s.CompletionMode)
	}
	if s.Completions == nil || *s.Completions < 1 {
		t.Fatal("shard Job: completions must be set (the number of shards)")
	}
	n := *s.Completions
	if s.Parallelism == nil || *s.Parallelism < 1 || *s.Parallelism > n {
		t.Errorf("shard Job: parallelism must be in 1..completions=%d", n)
	}
	c := s.Template.Spec.Containers[0]
	if c.Command[0] != "pilotsim" {
		t.Errorf("shard container runs %v, want pilotsim", c.Command)
	}
	idx, ok := c.env("JOB_COMPLETION_INDEX")
	if !ok || idx.ValueFrom == nil ||
		idx.ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Error("shard container: JOB_COMPLETION_INDEX must come from the job-completion-index annotation")
	}
	cnt, ok := c.env("COMPLETIONS")
	if !ok || cnt.Value != strconv.Itoa(n) {
		t.Errorf("shard container: COMPLETIONS = %q, want %d (= spec.completions)", cnt.Value, n)
	}
	// What each pod really runs, after the kubelet's $(VAR) expansion.
	seen := map[string]bool{}
	for i := range n {
		vars := map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i), "COMPLETIONS": cnt.Value}
		var args []string
		for _, a := range c.Args {
			args = append(args, expand(a, vars))
		}
		k := slices.Index(args, "--shard")
		if k < 0 || k+1 >= len(args) {
			t.Fatalf("shard container args %v: no --shard", c.Args)
		}
		want := strconv.Itoa(i) + "/" + strconv.Itoa(n)
		if args[k+1] != want {
			t.Errorf("pod %d runs --shard %s, want %s", i, args[k+1], want)
		}
		seen[args[k+1]] = true
	}
	if len(seen) != n {
		t.Errorf("the %d pods run %d distinct shards", n, len(seen))
	}
	shardOut := argAfter(t, c.Args, "--out")
	claim := mountedClaim(s.Template.Spec, c, "/data")
	if claim != pvc.Metadata.Name || !strings.HasPrefix(shardOut, "/data/") {
		t.Errorf("shards must write into the shared volume %s mounted at /data; out %q, claim %q", pvc.Metadata.Name, shardOut, claim)
	}

	// The merge Job: reads the shard directory from the same volume, after
	// an init container saw all n shard files.
	m := mergeJob.Spec
	mc := m.Template.Spec.Containers[0]
	if mc.Args[1] != shardOut {
		t.Errorf("merge reads %q, shards write %q", mc.Args[1], shardOut)
	}
	if got := mountedClaim(m.Template.Spec, mc, "/data"); got != pvc.Metadata.Name {
		t.Errorf("merge container mounts claim %q at /data, want %q", got, pvc.Metadata.Name)
	}
	if m.CompletionMode == "Indexed" || (m.Completions != nil && *m.Completions != 1) {
		t.Error("the merge Job must run once")
	}
	if len(m.Template.Spec.InitContainers) != 1 {
		t.Fatal("the merge Job needs the init container that waits for the shards")
	}
	w := m.Template.Spec.InitContainers[0]
	if sh, ok := w.env("SHARDS"); !ok || sh.Value != strconv.Itoa(n) {
		t.Errorf("wait-for-shards: SHARDS = %q, want %d", sh.Value, n)
	}
	if got := mountedClaim(m.Template.Spec, w, "/data"); got != pvc.Metadata.Name {
		t.Errorf("wait-for-shards mounts claim %q at /data, want %q", got, pvc.Metadata.Name)
	}
	checkWaitScript(t, w, shardOut, n)
}

// checkWaitScript runs the init container's shell script against a temporary
// directory standing for the shard directory: with all n shard files it must
// finish at once; with one missing it must still be waiting.
func checkWaitScript(t *testing.T, w container, shardDir string, n int) {
	t.Helper()
	if len(w.Command) != 3 || w.Command[0] != "sh" || w.Command[1] != "-c" {
		t.Fatalf("wait-for-shards: command %v, want sh -c SCRIPT", w.Command)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to run the wait script")
	}
	dir := t.TempDir()
	script := strings.ReplaceAll(w.Command[2], shardDir, dir)
	script = strings.ReplaceAll(script, "sleep 30", "exit 3")
	run := func() int {
		cmd := exec.Command(sh, "-c", script)
		cmd.Env = append(os.Environ(), "SHARDS="+strconv.Itoa(n))
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("wait script: %v\n%s", err, out)
		}
		return 0
	}
	for i := range n - 1 {
		os.WriteFile(filepath.Join(dir, shardFile(i, n)), nil, 0o644)
	}
	if code := run(); code != 3 {
		t.Errorf("wait script with %d of %d shards: exit %d, want it to keep waiting", n-1, n, code)
	}
	os.WriteFile(filepath.Join(dir, shardFile(n-1, n)), nil, 0o644)
	if code := run(); code != 0 {
		t.Errorf("wait script with all %d shards: exit %d, want 0", n, code)
	}
}

// shardFile is the name pilotsim batch gives shard i of n.
func shardFile(i, n int) string {
	return "shard-" + pad4(i) + "-of-" + pad4(n) + ".json"
}

func pad4(i int) string {
	s := strconv.Itoa(i)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

func argAfter(t *testing.T, args []string, flag string) string {
	t.Helper()
	k := slices.Index(args, flag)
	if k < 0 || k+1 >= len(args) {
		t.Fatalf("args %v: no %s", args, flag)
	}
	return args[k+1]
}

// sbatchDirectives returns the #SBATCH options of a batch script (they count
// only before the first command).
func sbatchDirectives(t *testing.T, script string) map[string]string {
	t.Helper()
	opts := map[string]string{}
	for line := range strings.Lines(script) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#!") {
			continue
		}
		if !strings.HasPrefix(line, "#") {
			break
		}
		rest, ok := strings.CutPrefix(line, "#SBATCH ")
		if !ok {
			continue
		}
		k, v, _ := strings.Cut(strings.TrimSpace(rest), "=")
		if !strings.HasPrefix(k, "--") {
			t.Errorf("#SBATCH %s: use the long --option=value form", rest)
		}
		opts[k] = v
	}
	return opts
}

func TestSlurmBatchScript(t *testing.T) {
	const path = "slurm/batch.sbatch"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	opts := sbatchDirectives(t, string(data))
	m := regexp.MustCompile(`^0-(\d+)$`).FindStringSubmatch(opts["--array"])
	if m == nil {
		t.Fatalf("#SBATCH --array=%q: want 0-N (shards are numbered from 0)", opts["--array"])
	}
	n, _ := strconv.Atoi(m[1])
	n++
	for _, k := range []string{"--job-name", "--time", "--output"} {
		if opts[k] == "" {
			t.Errorf("#SBATCH %s missing", k)
		}
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to run the script")
	}
	if out, err := exec.Command(bash, "-n", path).CombinedOutput(); err != nil {
		t.Fatalf("bash -n %s: %v\n%s", path, err, out)
	}

	// Run every array task as Slurm would, with stand-ins for sbatch and
	// pilotsim that record how they were called.
	abs, _ := filepath.Abs(path)
	for _, withCount := range []bool{true, false} { // SLURM_ARRAY_TASK_COUNT is missing on old Slurm
		dir := t.TempDir()
		log := filepath.Join(dir, "calls")
		stub := func(name string) string {
			p := filepath.Join(dir, name)
			os.WriteFile(p, []byte("#!/bin/sh\nprintf '%s' \""+name+"\" >> "+log+"\nfor a in \"$@\"; do printf ' [%s]' \"$a\" >> "+log+"; done\necho >> "+log+"\n"), 0o755)
			return p
		}
		stub("sbatch")
		pilotsim := stub("pilotsim")
		for i := range n {
			cmd := exec.Command(bash, abs)
			cmd.Dir = dir
			cmd.Env = []string{
				"PATH=" + dir + ":/usr/bin:/bin",
				"PILOTSIM=" + pilotsim,
				"LIST=list.txt", "OUT=out",
				"SLURM_ARRAY_JOB_ID=4242",
				"SLURM_ARRAY_TASK_ID=" + strconv.Itoa(i),
				"SLURM_ARRAY_TASK_MAX=" + strconv.Itoa(n-1),
			}
			if withCount {
				cmd.Env = append(cmd.Env, "SLURM_ARRAY_TASK_COUNT="+strconv.Itoa(n))
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("task %d: %v\n%s", i, err, out)
			}
		}
		calls, _ := os.ReadFile(log)
		var batches, merges []string
		for line := range strings.Lines(string(calls)) {
			switch {
			case strings.HasPrefix(line, "pilotsim"):
				batches = append(batches, strings.TrimSpace(line))
			case strings.HasPrefix(line, "sbatch"):
				merges = append(merges, strings.TrimSpace(line))
			}
		}
		if len(batches) != n {
			t.Fatalf("%d tasks ran pilotsim %d times:\n%s", n, len(batches), calls)
		}
		for i, b := range batches {
			want := "pilotsim [batch] [list.txt] [--shard] [" + strconv.Itoa(i) + "/" + strconv.Itoa(n) + "] [--out] [out/shards]"
			if b != want {
				t.Errorf("task %d ran\n  %s\nwant\n  %s", i, b, want)
			}
		}
		if len(merges) != 1 {
			t.Fatalf("want exactly one merge job submitted (by task 0), got %d:\n%s", len(merges), calls)
		}
		if !strings.Contains(merges[0], "[--dependency=afterok:4242]") {
			t.Errorf("the merge job must depend on the whole array (afterok:4242): %s", merges[0])
		}
		if !strings.Contains(merges[0], "merge 'out/shards' --out 'out/results'") {
			t.Errorf("the merge job must merge out/shards into out/results: %s", merges[0])
		}
	}
}
