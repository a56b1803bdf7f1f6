package results

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestLongParquet writes the long table as Parquet, reads it back with
// parquet-go, and finds every row as long.csv has it: the code parameter
// "0901" as text, an undefined value as null, the same count of rows; the
// same study gives the same bytes.
func TestLongParquet(t *testing.T) {
	lt := longFixture(t)
	var b bytes.Buffer
	if err := lt.WriteParquet(&b); err != nil {
		t.Fatal(err)
	}
	var want []LongRow
	lt.Rows(func(r *LongRow) error {
		c := *r
		want = append(want, c)
		return nil
	})
	r := parquet.NewReader(bytes.NewReader(b.Bytes()))
	defer r.Close()
	if r.NumRows() != int64(len(want)) {
		t.Fatalf("%d rows, want %d", r.NumRows(), len(want))
	}
	schema := r.Schema()
	idx := func(name string) int {
		leaf, ok := schema.Lookup(name)
		if !ok {
			t.Fatalf("no column %q", name)
		}
		return leaf.ColumnIndex
	}
	cScenario, cHS, cRep, cMetric, cValue := idx("scenario"), idx(lt.Params[0]), idx("rep"), idx("metric"), idx("value")
	rows := make([]parquet.Row, 64)
	i, nulls := 0, 0
	for {
		n, err := r.ReadRows(rows)
		for _, row := range rows[:n] {
			w := want[i]
			got := map[int]parquet.Value{}
			for _, v := range row {
				got[v.Column()] = v
			}
			if string(got[cScenario].ByteArray()) != w.Scenario || string(got[cHS].ByteArray()) != w.Params[0] ||
				got[cRep].Int64() != int64(w.Rep) || string(got[cMetric].ByteArray()) != w.Metric {
				t.Fatalf("row %d: %v, want %+v", i, row, w)
			}
			if math.IsNaN(w.Value) {
				nulls++
				if !got[cValue].IsNull() {
					t.Errorf("row %d: undefined value written as %v", i, got[cValue])
				}
			} else if got[cValue].Double() != w.Value {
				t.Errorf("row %d: value %v, want %v", i, got[cValue].Double(), w.Value)
			}
			i++
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if i != len(want) || nulls == 0 {
		t.Errorf("read %d rows (%d null values), want %d with some nulls", i, nulls, len(want))
	}
	var again bytes.Buffer
	if err := lt.WriteParquet(&again); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), again.Bytes()) {
		t.Error("the same study gave a different long.parquet")
	}
}
