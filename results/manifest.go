package results

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
)

// This file is the integrity of an output folder: every set of results ends
// with manifest.json, written last, listing each file with its size and
// SHA-256, the build of pilotsim that wrote it, the inputs (scenario files
// and their hashes, --set overrides) and complete: true. A folder without a
// manifest, or whose manifest does not list a file with that hash, is not a
// complete result.

// ManifestFile is the name of an output folder's manifest.
const ManifestFile = "manifest.json"

// manifestKind marks a pilotsim output manifest.
const manifestKind = "pilotsim-output"

// Build identifies the pilotsim binary that wrote a file: its version, the
// source revision it was built from (from the Go build information; empty
// when the binary was built without version control, e.g. by go test or
// from a source archive), whether the source had uncommitted changes, and
// the SHA-256 of the executable itself.
type Build struct {
	Version  string `json:"version"`
	Revision string `json:"revision,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	Go       string `json:"go"`
	// Binary is the SHA-256 of the running executable (os.Executable),
	// hashed once per process; "" when it cannot be read.
	Binary string `json:"binary_sha256,omitempty"`
}

// ID is the build's identity as shards, resume files and manifests compare
// it. A build from a clean checkout is its revision: the same source gives
// the same results whoever compiled it. Without a revision (built without
// version control) or with uncommitted changes, the revision says too
// little — two such builds may differ in any line — so the ID is the SHA-256
// of the executable ("exe:…", after the revision and "+modified" when
// there is one): two different binaries never share an ID. A build whose
// executable could not be read either has ID "unknown".
func (b Build) ID() string {
	switch {
	case b.Revision != "" && !b.Modified:
		return b.Revision
	case b.Binary == "" && b.Revision == "":
		return "unknown"
	}
	id := ""
	if b.Revision != "" {
		id = b.Revision + "+modified"
	}
	if b.Binary != "" {
		if id != "" {
			id += " "
		}
		id += "exe:" + b.Binary
	}
	return id
}

// Version is the program version the command line sets at start (-ldflags
// "-X main.version=…"); it goes into CurrentBuild.
var Version = "dev"

var buildOnce = sync.OnceValue(func() Build {
	b := Build{Version: Version, Binary: executableHash()}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Go = info.GoVersion
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
})

// executableHash returns the SHA-256 of the running executable, or "" when
// it cannot be found or read (it is read once per process: see buildOnce).
func executableHash() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if p, err := filepath.EvalSymlinks(exe); err == nil {
		exe = p
	}
	sum, err := HashFile(exe)
	if err != nil {
		return ""
	}
	return sum
}

// CurrentBuild returns the build of the running binary.
func CurrentBuild() Build {
	b := buildOnce()
	b.Version = Version
	return b
}

// ManifestInput is one input file of a result set.
type ManifestInput struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
}

// ManifestEntry is one file of a result set.
type ManifestEntry struct {
	Path   string `json:"path"` // slash-separated, relative to the folder
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Manifest describes a complete result set. Inputs and Sets are what the
// results came from; Hash is a hash of the inputs, the overrides, the
// options that change results (Options) and the build, so a re-run can tell
// whether a folder holds the same study.
type Manifest struct {
	SchemaVersion int             `json:"schema_version"`
	Kind          string          `json:"kind"`
	Command       string          `json:"command"`
	Pilotsim      Build           `json:"pilotsim"`
	Inputs        []ManifestInput `json:"inputs"`
	Sets          []string        `json:"sets"`
	Options       []string        `json:"options,omitempty"`
	Hash          string          `json:"inputs_hash"`
	Files         []ManifestEntry `json:"files"`
	// Partial marks results of an interrupted run (fewer replications than
	// asked): listed and hashed, but not complete.
	Partial  bool `json:"partial,omitempty"`
	Complete bool `json:"complete"`
}

// NewManifest starts the manifest of command's results from inputs (file
// name → content hash, in the order given), the --set overrides and the
// options that change the results (e.g. "reps=20", "seed=7").
func NewManifest(command string, inputs []ManifestInput, sets, options []string) *Manifest {
	m := &Manifest{SchemaVersion: SchemaVersion, Kind: manifestKind, Command: command, Pilotsim: CurrentBuild(),
		Inputs: slices.Clone(inputs), Sets: slices.Clone(sets), Options: slices.Clone(options)}
	if m.Sets == nil {
		m.Sets = []string{}
	}
	m.Hash = m.inputsHash()
	return m
}

// inputsHash hashes what determines the results: command, build, inputs,
// overrides and options.
func (m *Manifest) inputsHash() string {
	h := sha256.New()
	fmt.Fprintf(h, "%q %q\n", m.Command, m.Pilotsim.ID())
	for _, in := range m.Inputs {
		fmt.Fprintf(h, "in %q %s\n", in.File, in.SHA256)
	}
	for _, s := range m.Sets {
		fmt.Fprintf(h, "set %q\n", s)
	}
	for _, s := range m.Options {
		fmt.Fprintf(h, "opt %q\n", s)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// HashFile returns the SHA-256 of a file's content, in hex.
func HashFile(path string) (string, error) {
	f, err := OpenRegular(path, -1)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// HashBytes returns the SHA-256 of data, in hex.
func HashBytes(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// BeginOutput prepares dir for a new result set: it makes dir (refusing a
// path that exists and is not a folder) and removes an earlier manifest, so
// that until WriteManifest ends the new set nothing in dir says complete.
func BeginOutput(dir string) error {
	if err := MakeOutputDir(dir); err != nil {
		return err
	}
	err := os.Remove(filepath.Join(dir, ManifestFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return nil
}

// WriteManifest lists every file in dir (its size and SHA-256; hidden files
// and folders — temporary files, resume state — left out) into m, marks it
// complete (unless m.Partial) and writes it to dir/manifest.json,
// atomically and last.
func WriteManifest(dir string, m *Manifest) error {
	m.Files = m.Files[:0]
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || rel == ManifestFile {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file; an output folder holds only files and folders", p)
		}
		sum, err := HashFile(p)
		if err != nil {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		m.Files = append(m.Files, ManifestEntry{Path: filepath.ToSlash(rel), Size: st.Size(), SHA256: sum})
		return nil
	})
	if err != nil {
		return fmt.Errorf("manifest of %s: %w", dir, err)
	}
	m.Complete = !m.Partial
	return writeManifestAt(filepath.Join(dir, ManifestFile), m)
}

// writeManifestAt writes m to path atomically as indented JSON (WriteManifest
// and WriteFileManifest).
func writeManifestAt(path string, m *Manifest) error {
	return WriteFileAtomic(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	})
}

// FileManifestPath is where the manifest of a one-file output goes
// (pilotsim generate --out FILE.csv): beside the file, named after it,
// FILE.csv.manifest.json. A folder can hold several such files, each with
// its own manifest.
func FileManifestPath(file string) string { return file + ".manifest.json" }

// BeginFileOutput prepares a one-file output: it removes the manifest beside
// file, so that until the new one is written nothing says the file is
// complete. Only a regular file is removed.
func BeginFileOutput(file string) error {
	p := FileManifestPath(file)
	st, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !st.Mode().IsRegular():
		return &NotRegularError{Path: p, Mode: st.Mode(), Want: "want a regular file (the manifest of " + filepath.Base(file) + ")"}
	}
	return os.Remove(p)
}

// WriteFileManifest lists file (its size and SHA-256, by its base name) into
// m, marks it complete and writes it to FileManifestPath(file), atomically
// and last.
func WriteFileManifest(file string, m *Manifest) error {
	sum, err := HashFile(file)
	if err != nil {
		return err
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	m.Files = []ManifestEntry{{Path: filepath.Base(file), Size: st.Size(), SHA256: sum}}
	m.Complete = !m.Partial
	return writeManifestAt(FileManifestPath(file), m)
}

// ReadFileManifest reads the manifest of a one-file output.
func ReadFileManifest(file string) (*Manifest, error) {
	return readManifestAt(FileManifestPath(file))
}

// maxManifestBytes bounds the manifest ReadManifest reads.
const maxManifestBytes = 64 << 20

// ReadManifest reads dir/manifest.json; fs.ErrNotExist when there is none.
func ReadManifest(dir string) (*Manifest, error) {
	return readManifestAt(filepath.Join(dir, ManifestFile))
}

// readManifestAt reads and checks the manifest at path (ReadManifest and
// ReadFileManifest); fs.ErrNotExist when there is none.
func readManifestAt(path string) (*Manifest, error) {
	data, err := ReadRegular(path, maxManifestBytes)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil || m.Kind != manifestKind {
		return nil, fmt.Errorf("%s: not a pilotsim manifest", path)
	}
	return &m, nil
}

// VerifyManifest checks that every file m lists in dir is there with its
// size and hash; the error names the first that is not.
func VerifyManifest(dir string, m *Manifest) error {
	if !m.Complete {
		return fmt.Errorf("%s: the result set is not complete", filepath.Join(dir, ManifestFile))
	}
	for _, f := range m.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		sum, err := HashFile(p)
		if err != nil {
			return err
		}
		if sum != f.SHA256 {
			return fmt.Errorf("%s: changed since it was written (SHA-256 %s, manifest says %s)", p, sum[:12], f.SHA256[:12])
		}
	}
	return nil
}
