// Command declarations writes a declarations CSV file of synthetic, valid
// consignments from a seed: the same flags give the same bytes. It makes the
// shipped example (see datamodel/generate.go) and large files for measuring
// the reader:
//
//	go run ./datamodel/internal/gen/declarations -n 1000000 -o /tmp/big.csv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"pilotsim/datamodel"
	"pilotsim/datamodel/internal/synth"
)

func main() {
	n := flag.Int("n", 48, "number of consignments")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("o", "-", "output file (- for standard output)")
	outcomes := flag.Bool("outcomes", true, "fill the control outcome columns")
	check := flag.Bool("check", true, "validate every record before writing it")
	flag.Parse()
	if err := run(*n, *seed, *out, *outcomes, *check); err != nil {
		fmt.Fprintln(os.Stderr, "declarations:", err)
		os.Exit(1)
	}
}

func run(n int, seed uint64, out string, outcomes, check bool) error {
	if out == "-" {
		return write(os.Stdout, n, seed, outcomes, check)
	}
	// Write to a temporary name and rename when complete.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".declarations-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp, n, seed, outcomes, check); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}

func write(w io.Writer, n int, seed uint64, outcomes, check bool) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw, err := datamodel.NewWriter(bw)
	if err != nil {
		return err
	}
	g := synth.New(seed)
	g.Outcomes = outcomes
	var c datamodel.Consignment
	for i := range n {
		g.Next(&c)
		if check {
			if err := c.Validate(); err != nil {
				return fmt.Errorf("record %d is invalid (a bug in synth): %w", i+1, err)
			}
		}
		if err := cw.Write(&c); err != nil {
			return err
		}
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}
