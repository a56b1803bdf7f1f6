package results

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// traceColumnKind is how a trace column is typed in Parquet.
type traceColumnKind uint8

const (
	traceText  traceColumnKind = iota // a string (codes keep their zeros)
	traceFloat                        // a double: hours, kilograms, amounts, scores
	traceInt                          // a 64-bit integer: counts and numbers
	traceBool                         // a boolean (yes/no in CSV)
)

// traceKind types a trace column by its name (docs/outputs.md lists them):
// every value may be missing (null), as an empty CSV cell is.
func traceKind(name string) traceColumnKind {
	switch name {
	case "rep", "seq", "stages", "found_stage", "packages":
		return traceInt
	case "gross_weight_kg", "customs_value", "duty_recovered", "duty_at_stake", "score":
		return traceFloat
	case "aeo", "warm_up", "clean_signature":
		return traceBool
	}
	if strings.HasSuffix(name, "_h") {
		return traceFloat
	}
	return traceText
}

// writeTraceParquet writes the trace parts of reps (CSV, each starting with
// the header) as one Parquet file: typed columns, nulls for empty cells,
// row groups of at most 100,000 rows so memory stays bounded.
func (t *TraceFiles) writeTraceParquet(w io.Writer, reps []int) error {
	header, err := csv.NewReader(strings.NewReader(string(t.header))).Read()
	if err != nil {
		return err
	}
	g := parquet.Group{}
	kinds := make([]traceColumnKind, len(header))
	for i, h := range header {
		kinds[i] = traceKind(h)
		var n parquet.Node
		switch kinds[i] {
		case traceFloat:
			n = parquet.Leaf(parquet.DoubleType)
		case traceInt:
			n = parquet.Int(64)
		case traceBool:
			n = parquet.Leaf(parquet.BooleanType)
		default:
			n = parquet.String()
		}
		g[h] = parquet.Optional(n)
	}
	schema := parquet.NewSchema("pilotsim_trace", g)
	cols := make([]int, len(header))
	for i, h := range header {
		leaf, ok := schema.Lookup(h)
		if !ok {
			return fmt.Errorf("trace column %q has no Parquet column", h)
		}
		cols[i] = leaf.ColumnIndex
	}
	pw := parquet.NewWriter(w, schema, parquet.Compression(&zstd.Codec{}), parquet.CreatedBy("pilotsim", "", ""),
		parquet.MaxRowsPerRowGroup(100_000))
	b := parquet.NewRowBuilder(g)
	rows := make([]parquet.Row, 1)
	for _, rep := range reps {
		f, err := os.Open(t.partPath(rep))
		if err != nil {
			return err
		}
		cr := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
		cr.ReuseRecord = true
		if _, err := cr.Read(); err != nil {
			f.Close()
			return fmt.Errorf("replication %d: header: %w", rep, err)
		}
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				f.Close()
				return fmt.Errorf("replication %d: %w", rep, err)
			}
			b.Reset()
			for i, v := range rec {
				if v == "" {
					continue // null
				}
				var pv parquet.Value
				switch kinds[i] {
				case traceFloat:
					x, err := strconv.ParseFloat(v, 64)
					if err != nil {
						f.Close()
						return fmt.Errorf("replication %d: column %s: %q is not a number", rep, header[i], v)
					}
					pv = parquet.DoubleValue(x)
				case traceInt:
					x, err := strconv.ParseInt(v, 10, 64)
					if err != nil {
						f.Close()
						return fmt.Errorf("replication %d: column %s: %q is not an integer", rep, header[i], v)
					}
					pv = parquet.Int64Value(x)
				case traceBool:
					pv = parquet.BooleanValue(v == "yes")
				default:
					pv = parquet.ByteArrayValue([]byte(v))
				}
				b.Add(cols[i], pv)
			}
			rows[0] = b.AppendRow(rows[0][:0])
			if _, err := pw.WriteRows(rows); err != nil {
				f.Close()
				return err
			}
		}
		f.Close()
	}
	return pw.Close()
}
