package datamodel_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/gocarina/gocsv"

	"pilotsim/datamodel"
	"pilotsim/datamodel/internal/synth"
)

// synthCSV returns n synthetic rows (with outcomes) as CSV.
func synthCSV(tb testing.TB, n int) []byte {
	var b bytes.Buffer
	w, err := datamodel.NewWriter(&b)
	if err != nil {
		tb.Fatal(err)
	}
	g := synth.New(1)
	g.Outcomes = true
	var c datamodel.Consignment
	for range n {
		g.Next(&c)
		if err := w.Write(&c); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// BenchmarkReaderNext reads and validates one row per op, from memory.
func BenchmarkReaderNext(b *testing.B) {
	data := synthCSV(b, 10000)
	r, _ := datamodel.NewReader(bytes.NewReader(data))
	b.SetBytes(int64(len(data) / 10000))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := r.Next()
		if err == io.EOF {
			r, _ = datamodel.NewReader(bytes.NewReader(data))
			_, err = r.Next()
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriterWrite writes one row per op.
func BenchmarkWriterWrite(b *testing.B) {
	g := synth.New(1)
	g.Outcomes = true
	recs := make([]datamodel.Consignment, 1000)
	for i := range recs {
		g.Next(&recs[i])
	}
	w, _ := datamodel.NewWriter(io.Discard)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.Write(&recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
	}
	_ = w.Flush()
}

// gocsvRow maps the 38 columns to strings: gocsv's cost before any check.
type gocsvRow struct {
	A01 string `csv:"ucr"`
	A02 string `csv:"consignor_name"`
	A03 string `csv:"consignor_id"`
	A04 string `csv:"consignee_name"`
	A05 string `csv:"consignee_id"`
	A06 string `csv:"importer_name"`
	A07 string `csv:"importer_id"`
	A08 string `csv:"exporter_name"`
	A09 string `csv:"exporter_id"`
	A10 string `csv:"carrier_name"`
	A11 string `csv:"carrier_id"`
	A12 string `csv:"notify_party_name"`
	A13 string `csv:"notify_party_id"`
	A14 string `csv:"declarant_name"`
	A15 string `csv:"declarant_id"`
	A16 string `csv:"goods_description"`
	A17 string `csv:"hs_code"`
	A18 string `csv:"packages"`
	A19 string `csv:"gross_weight_kg"`
	A20 string `csv:"customs_value"`
	A21 string `csv:"currency"`
	A22 string `csv:"country_of_origin"`
	A23 string `csv:"country_of_dispatch"`
	A24 string `csv:"countries_of_routing"`
	A25 string `csv:"place_of_loading"`
	A26 string `csv:"place_of_discharge"`
	A27 string `csv:"transport_mode"`
	A28 string `csv:"means_of_transport_id"`
	A29 string `csv:"conveyance_reference"`
	A30 string `csv:"container_numbers"`
	A31 string `csv:"seal_numbers"`
	A32 string `csv:"lodgement_time"`
	A33 string `csv:"arrival_time"`
	A34 string `csv:"aeo"`
	A35 string `csv:"control"`
	A36 string `csv:"irregular"`
	A37 string `csv:"threat"`
	A38 string `csv:"duty_recovered"`
}

// BenchmarkGocsvBaseline is gocsv's streaming Unmarshaller on the same rows
// into 38 string fields, without any parsing or checking: the floor a
// gocsv-based reader could not go below. One row per op.
func BenchmarkGocsvBaseline(b *testing.B) {
	data := synthCSV(b, 10000)
	open := func() *gocsv.Unmarshaller {
		cr := csv.NewReader(bytes.NewReader(data))
		cr.ReuseRecord = true
		um, err := gocsv.NewUnmarshaller(cr, gocsvRow{})
		if err != nil {
			b.Fatal(err)
		}
		return um
	}
	um := open()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := um.Read()
		if err == io.EOF {
			um = open()
			_, err = um.Read()
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateFile reads and validates a 1,000,000-row declarations file
// from disk, as `pilotsim validate` does, and reports rows/s and the largest
// live heap seen (sampled every 100,000 rows after a GC). The file (about
// 560 MB) is written once to a temporary directory.
func BenchmarkValidateFile(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"100k", 100_000}, {"1M", 1_000_000}} {
		n := size.n
		b.Run(size.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "big.csv")
			f, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			bw := bufio.NewWriterSize(f, 1<<16)
			w, _ := datamodel.NewWriter(bw)
			g := synth.New(1)
			g.Outcomes = true
			var c datamodel.Consignment
			for range n {
				g.Next(&c)
				_ = w.Write(&c)
			}
			if err := errors.Join(w.Flush(), bw.Flush(), f.Close()); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var heapMax uint64
			for range b.N {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				r, err := datamodel.NewReader(bufio.NewReaderSize(f, 1<<16))
				if err != nil {
					b.Fatal(err)
				}
				rows := 0
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					rows++
					if rows%100_000 == 0 {
						b.StopTimer()
						var ms runtime.MemStats
						runtime.GC()
						runtime.ReadMemStats(&ms)
						heapMax = max(heapMax, ms.HeapAlloc)
						b.StartTimer()
					}
				}
				f.Close()
				if rows != n {
					b.Fatalf("read %d rows, want %d", rows, n)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(heapMax)/(1<<20), "MiB-live-heap-max")
		})
	}
}
