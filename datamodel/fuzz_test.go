package datamodel_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"pilotsim/datamodel"
)

// FuzzReader feeds arbitrary bytes to the Reader. It must never panic; every
// error must be a *HeaderError or a *RowError with its problems listed; and a
// record it accepts must pass Validate and come back equal after a Writer
// writes it and a Reader reads it again.
func FuzzReader(f *testing.F) {
	for _, name := range []string{
		filepath.Join("..", "scenarios", "examples", "declarations.csv"),
		filepath.Join("testdata", "faulty.csv"),
	} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		// A few rows each: small seeds keep the fuzzer's minimization fast.
		lines := bytes.SplitAfter(data, []byte("\n"))
		f.Add(bytes.Join(lines[:min(len(lines), 2)], nil))
		f.Add(bytes.Join(lines[:min(len(lines), 6)], nil))
	}
	f.Add([]byte(""))
	f.Add([]byte("ucr\n\"a\"b\n"))
	f.Add([]byte("\uFEFFucr,hs_code\n1,2\n"))
	f.Add(writeCSV(f, base(f)))

	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := datamodel.NewReader(bytes.NewReader(data))
		if err != nil {
			var he *datamodel.HeaderError
			if !errors.As(err, &he) || he.Error() == "" {
				t.Fatalf("NewReader: %v (%T), want a *HeaderError", err, err)
			}
			return
		}
		for good := 0; ; {
			c, err := r.Next()
			if err == io.EOF {
				return
			}
			var re *datamodel.RowError
			if errors.As(err, &re) {
				if len(re.Fields) == 0 || re.Row != r.Row() || re.Line < 2 {
					t.Fatalf("row error without problems or position: %+v", re)
				}
				for _, fe := range re.Fields {
					if fe.Expected == "" || fe.Line < 2 {
						t.Fatalf("field error without an expectation or line: %+v", fe)
					}
				}
				continue
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("the Reader accepted a record Validate rejects: %v\n%+v", err, c)
			}
			if good++; good > 3 {
				continue // the round trip of a few records per input keeps each run (and minimization) fast
			}
			back, bad := readAll(t, writeCSV(t, c))
			if len(bad) > 0 || len(back) != 1 || !back[0].Equal(c) {
				t.Fatalf("round trip changed the record:\n%+v\n%+v\n%v", c, back, bad)
			}
		}
	})
}
