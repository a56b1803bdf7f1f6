package results

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"pilotsim/datamodel"
)

// syntheticEvents writes n event records of pilotsim's own layout: arrivals
// every 30 s, lodgement around arrival, 15% yellow (document check), 4% red
// (then a physical examination), exponential waits and controls.
func syntheticEvents(n int, seed uint64) []byte {
	var buf bytes.Buffer
	datamodel.WriteEventHeader(&buf)
	rng := rand.New(rand.NewPCG(seed, 2))
	t0 := float64(datamodel.TraceEpoch.Unix())
	modes := []string{"sea", "air", "road"}
	offices := []string{"BEANR", "BEZEE", "BEBRU", "BELGG"}
	var b []byte
	nan := math.NaN()
	for i := range n {
		r := datamodel.EventRecord{ID: "C" + strconv.Itoa(i), Mode: modes[rng.IntN(3)], Office: offices[rng.IntN(4)],
			AEO: int8(rng.IntN(2)), Outcome: -1, Duty: nan}
		r.Arrival = math.Round(t0 + float64(i)*30 + rng.Float64()*10)
		r.Lodgement = math.Round(r.Arrival - 3600*rng.NormFloat64()*12)
		r.Assessed = r.Lodgement + 600
		for s := range r.Queue {
			r.Queue[s], r.Start[s], r.End[s] = nan, nan, nan
		}
		ready := math.Max(r.Arrival, r.Assessed)
		u := rng.Float64()
		r.Channel, r.Release = "green", ready
		if u < 0.15 {
			r.Channel, r.Outcome = "yellow", 0
			r.Start[0] = math.Round(ready + rng.ExpFloat64()*1800)
			r.End[0] = math.Round(r.Start[0] + rng.ExpFloat64()*3600)
			r.Release = r.End[0]
		}
		if u < 0.04 {
			r.Channel = "red"
			r.Start[2] = math.Round(r.End[0] + rng.ExpFloat64()*7200)
			r.End[2] = math.Round(r.Start[2] + rng.ExpFloat64()*7200)
			r.Release = r.End[2]
		}
		b = datamodel.AppendEventRow(b[:0], &r)
		buf.Write(b)
	}
	return buf.Bytes()
}

// benchEvents are the records of the benchmarks: 1 million, so that the
// reader's table of ids reaches its bound as in a large study (786,433 ids
// remembered, the rest looked up).
var benchEvents = sync.OnceValue(func() []byte { return syntheticEvents(benchRecords, 1) })

const benchRecords = 1000000

// BenchmarkTRS reads event records and adds them to a study: the streaming
// pass of pilotsim trs on one goroutine (records/s = 1e9 / ns per record).
func BenchmarkTRS(b *testing.B) {
	data := benchEvents()
	b.SetBytes(int64(len(data)) / benchRecords)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuClock())
	var study *TRSStudy
	var er *datamodel.EventReader
	for range b.N {
		if er == nil {
			var err error
			if er, err = datamodel.NewEventReader(bytes.NewReader(data), nil); err != nil {
				b.Fatal(err)
			}
			study = NewTRSStudy(TRSOptions{Seed: 1})
		}
		rec, err := er.Next()
		if errors.Is(err, io.EOF) {
			er = nil
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		study.Add(rec)
	}
}

// BenchmarkTRSAdd is the study alone, on records already parsed (pilotsim
// trs parses on another goroutine).
func BenchmarkTRSAdd(b *testing.B) {
	const n = 100000
	er, err := datamodel.NewEventReader(bytes.NewReader(syntheticEvents(n, 1)), nil)
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]datamodel.EventRecord, 0, n)
	for {
		r, err := er.Next()
		if err != nil {
			break
		}
		recs = append(recs, *r)
	}
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuClock())
	study := NewTRSStudy(TRSOptions{Seed: 1})
	for i := range b.N {
		study.Add(&recs[i%n])
	}
}

// BenchmarkEventReader is the parsing alone (ids checked).
func BenchmarkEventReader(b *testing.B) {
	data := benchEvents()
	b.SetBytes(int64(len(data)) / benchRecords)
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b, cpuClock())
	var er *datamodel.EventReader
	for range b.N {
		if er == nil {
			er, _ = datamodel.NewEventReader(bytes.NewReader(data), nil)
		}
		if _, err := er.Next(); errors.Is(err, io.EOF) {
			er = nil
		} else if err != nil {
			b.Fatal(err)
		}
	}
}
