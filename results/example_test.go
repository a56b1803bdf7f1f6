package results_test

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"pilotsim/metric"
	"pilotsim/results"
)

// The mean of five replications' values with its 95% confidence interval:
// mean 3, half-width t(0.975, 4)·sd/√5 = 2.776·√2.5/√5.
func ExampleMeanCI() {
	iv := results.MeanCI([]float64{1, 2, 3, 4, 5}, 0.95)
	fmt.Printf("mean %.3f, 95%% CI [%.3f, %.3f], ± %.3f, n %d\n", iv.Mean, iv.Low, iv.High, iv.HalfWidth(), iv.N)
	// Output: mean 3.000, 95% CI [1.037, 4.963], ± 1.963, n 5
}

// A value that is undefined in a replication (NaN) is left out; N says how
// many replications the mean rests on. One value gives no interval.
func ExampleMeanCI_undefined() {
	iv := results.MeanCI([]float64{0.2, math.NaN(), 0.4}, 0.95)
	fmt.Printf("mean %.2f, n %d\n", iv.Mean, iv.N)
	one := results.MeanCI([]float64{math.NaN(), 0.4}, 0.95)
	fmt.Printf("mean %.2f, n %d, bounds %v %v\n", one.Mean, one.N, one.Low, one.High)
	// Output:
	// mean 0.30, n 2
	// mean 0.40, n 1, bounds NaN NaN
}

// Aggregate takes every metric across replications, in metric order.
func ExampleAggregate() {
	metrics := []results.Metric{
		{Key: metric.Key{Family: metric.Hit}, Unit: results.UnitFraction},
		{Key: metric.Key{Family: metric.Release, Subject: "all", Stat: metric.Mean}, Unit: results.UnitHours},
	}
	reps := []results.Replication{
		{Rep: 0, Values: []float64{0.10, 2.0}},
		{Rep: 1, Values: []float64{0.12, 2.2}},
		{Rep: 2, Values: []float64{math.NaN(), 2.1}}, // nothing controlled: no hit rate
	}
	est, err := results.Aggregate(metrics, reps)
	if err != nil {
		panic(err)
	}
	for _, e := range est {
		fmt.Printf("%-16s %.3f ± %.3f %s (n=%d)\n", e.Name(), e.Mean, e.HalfWidth(), e.Unit, e.N)
	}
	// Output:
	// hit_rate         0.110 ± 0.126 fraction (n=2)
	// release.all.mean 2.100 ± 0.248 h (n=3)
}

// A Report writes the aggregate as CSV (and JSON, and a readable table).
func ExampleReport_WriteAggregateCSV() {
	r, err := results.NewReport(
		results.Run{Scenario: "demo", Seed: 1, Replications: 3},
		[]results.Metric{{Key: metric.Key{Family: metric.Inspection}, Unit: results.UnitFraction}},
		[]results.Replication{{Rep: 0, Values: []float64{0.1}}, {Rep: 1, Values: []float64{0.2}}, {Rep: 2, Values: []float64{0.3}}},
	)
	if err != nil {
		panic(err)
	}
	r.WriteAggregateCSV(os.Stdout)
	r.WriteTable(os.Stdout)
	// Output:
	// metric,mean,ci_low,ci_high,unit,n
	// inspection_rate,0.2,0.04391300531,0.5034128113,fraction,3
	// Scenario demo, seed 1: 3 replications
	// Each figure: mean across replications ± half-width of the 95% confidence interval,
	// or [low, high] where the interval is not centred (fractions stay in [0, 1], counts at 0 or more).
	//
	// Security
	//   inspection rate   20.0% [4.4%, 50.3%]
}

// WriteFileAtomic writes under a temporary name and renames when complete;
// when the writer fails, nothing appears under the final name.
func ExampleWriteFileAtomic() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "notes.txt")

	err = results.WriteFileAtomic(path, func(w io.Writer) error {
		fmt.Fprintln(w, "half a file")
		return errors.New("disk on fire")
	})
	_, statErr := os.Stat(path)
	fmt.Println(err != nil, os.IsNotExist(statErr))

	err = results.WriteFileAtomic(path, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, "a whole file")
		return err
	})
	b, _ := os.ReadFile(path)
	fmt.Print(err, " ", string(b))
	// Output:
	// true true
	// <nil> a whole file
}
