package replay

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"pilotsim/scenarios"
	"pilotsim/sim/backtest"
)

var kcsOnce struct {
	sync.Once
	d   *Data
	err error
}

// kcsData loads the shipped Korean synthetic files (testdata/kcs-synthetic)
// with the shipped mapping and rules.
func kcsData(t testing.TB) *Data {
	t.Helper()
	kcsOnce.Do(func() {
		root := "../../.."
		read := func(name string) File {
			f, err := os.Open(filepath.Join(root, "testdata/kcs-synthetic", name))
			if err != nil {
				kcsOnce.err = err
				return File{}
			}
			defer f.Close()
			z, err := gzip.NewReader(f)
			if err != nil {
				kcsOnce.err = err
				return File{}
			}
			b, err := io.ReadAll(z)
			if err != nil {
				kcsOnce.err = err
			}
			return File{Name: name, Data: b}
		}
		m, err := backtest.LoadMapping(filepath.Join(root, "scenarios/examples/kcs/kcs-mapping.yaml"))
		if err != nil {
			kcsOnce.err = err
			return
		}
		sc, err := scenarios.LoadRules(filepath.Join(root, "scenarios/examples/kcs/kcs-rules.yaml"), nil)
		if err != nil {
			kcsOnce.err = err
			return
		}
		rules, err := backtest.Compile(sc, m)
		if err != nil {
			kcsOnce.err = err
			return
		}
		keys, _ := ParseKeys(DefaultKeys)
		nov, _ := ParseKey(DefaultNovelty)
		h := []File{read("df_syn_train_eng.csv.gz"), read("df_syn_valid_eng.csv.gz")}
		test := read("df_syn_test_eng.csv.gz")
		if kcsOnce.err != nil {
			return
		}
		kcsOnce.d, kcsOnce.err = Load(context.Background(), Options{Rules: rules, Mapping: m, Keys: keys, Novelty: nov}, h, test)
	})
	if kcsOnce.err != nil {
		t.Fatal(kcsOnce.err)
	}
	return kcsOnce.d
}
