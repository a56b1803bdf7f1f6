package results

import (
	"io"
	"math"
	"path/filepath"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// LongParquetFile is the long table as Parquet (--parquet), for pandas, R
// (arrow), DuckDB and Spark.
const LongParquetFile = "long.parquet"

// longParquetSchema returns the Parquet schema of t's long table: scenario,
// metric and unit as strings, rep and seed as integers, value as an optional
// double (null where undefined), and each parameter as an optional string
// (null where the scenario does not set it; text, so codes keep their
// zeros).
func (t *LongTable) longParquetSchema() (parquet.Group, *parquet.Schema) {
	g := parquet.Group{
		"scenario": parquet.String(),
		"rep":      parquet.Int(64),
		"seed":     parquet.Uint(64),
		"metric":   parquet.String(),
		"family":   parquet.String(),
		"of":       parquet.String(),
		"subject":  parquet.String(),
		"part":     parquet.String(),
		"stat":     parquet.String(),
		"unit":     parquet.String(),
		"value":    parquet.Optional(parquet.Leaf(parquet.DoubleType)),
	}
	for _, p := range t.Params {
		g[p] = parquet.Optional(parquet.String())
	}
	return g, parquet.NewSchema("pilotsim_long", g)
}

// WriteParquet writes the long table as a Parquet file (zstd-compressed);
// the same study gives the same bytes.
func (t *LongTable) WriteParquet(w io.Writer) error {
	g, schema := t.longParquetSchema()
	col := func(name string) int {
		leaf, _ := schema.Lookup(name)
		return leaf.ColumnIndex
	}
	cScenario, cRep, cSeed, cMetric, cUnit, cValue := col("scenario"), col("rep"), col("seed"), col("metric"), col("unit"), col("value")
	cParts := [5]int{col("family"), col("of"), col("subject"), col("part"), col("stat")}
	cParams := make([]int, len(t.Params))
	for i, p := range t.Params {
		cParams[i] = col(p)
	}
	pw := parquet.NewWriter(w, schema, parquet.Compression(&zstd.Codec{}), parquet.CreatedBy("pilotsim", "", ""))
	b := parquet.NewRowBuilder(g)
	rows := make([]parquet.Row, 1)
	err := t.Rows(func(r *LongRow) error {
		b.Reset()
		b.Add(cScenario, parquet.ByteArrayValue([]byte(r.Scenario)))
		for i, v := range r.Params {
			if v != "" {
				b.Add(cParams[i], parquet.ByteArrayValue([]byte(v)))
			}
		}
		b.Add(cRep, parquet.Int64Value(int64(r.Rep)))
		b.Add(cSeed, parquet.Int64Value(int64(r.Seed)))
		b.Add(cMetric, parquet.ByteArrayValue([]byte(r.Metric)))
		for i, v := range [5]string{r.Family, r.Of, r.Subject, r.Part, r.Stat} {
			b.Add(cParts[i], parquet.ByteArrayValue([]byte(v)))
		}
		b.Add(cUnit, parquet.ByteArrayValue([]byte(r.Unit)))
		if !math.IsNaN(r.Value) {
			b.Add(cValue, parquet.DoubleValue(r.Value))
		}
		rows[0] = b.AppendRow(rows[0][:0])
		_, err := pw.WriteRows(rows)
		return err
	})
	if err != nil {
		return err
	}
	return pw.Close()
}

// WriteParquetFile writes long.parquet into dir, atomically.
func (t *LongTable) WriteParquetFile(dir string) error {
	return WriteFileAtomic(filepath.Join(dir, LongParquetFile), t.WriteParquet)
}
