//go:build ignore

// explore ranks the validation declarations of the Korean customs synthetic
// data by single features — a key's past fraud rate (learned only from rows
// dated strictly before, starting with the training file) or a raw column —
// and prints precision and recall at 1, 2, 5 and 10% inspection. It reads the
// training and validation files only.
//
//	go run docs/backtest-korea/explore.go                          # every feature, testdata/kcs-synthetic
//	go run docs/backtest-korea/explore.go testdata/kcs-synthetic hs6+origin hs4
//
// The directory holds df_syn_train_eng.csv and df_syn_valid_eng.csv, plain or
// gzipped (.csv.gz, as kept in testdata/kcs-synthetic). Keys are column names
// (declarant, importer, seller, courier, hs6, departure, origin, taxtype, oi,
// office, importtype, importuse, payment, mode) or hs4, hs2, taxrate, routed,
// joined with "+".
package main

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

type row struct {
	f        []string
	fraud    int
	critical bool
	valid    bool
	date     string
}

type stat struct{ n, k float64 }

var col = map[string]int{"declarant": 8, "importer": 9, "seller": 10, "courier": 11, "hs6": 12, "departure": 13, "origin": 14, "taxtype": 16, "oi": 17, "office": 2, "importtype": 4, "importuse": 5, "payment": 6, "mode": 7}

func main() {
	if err := explore(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "explore:", err)
		os.Exit(2)
	}
}

// readFile reads one of the Korean files, plain or gzipped (name, then name+".gz").
func readFile(dir, name string, valid bool) ([]row, error) {
	path := filepath.Join(dir, name)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		path += ".gz"
		f, err = os.Open(path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w (want %s or %s.gz in %s)", err, name, name, dir)
	}
	defer f.Close()
	var in io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		in = gz
	}
	r := csv.NewReader(in)
	if _, err := r.Read(); err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	var rows []row
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if len(rec) < 22 {
			line, _ := r.FieldPos(0)
			return nil, fmt.Errorf("%s:%d: %d columns, want the 22 of the Korean layout", path, line, len(rec))
		}
		fr, err := strconv.Atoi(rec[20])
		if err != nil || (fr != 0 && fr != 1) {
			line, _ := r.FieldPos(20)
			return nil, fmt.Errorf("%s:%d: Fraud %q, want 0 or 1", path, line, rec[20])
		}
		rows = append(rows, row{f: rec, fraud: fr, critical: rec[21] == "2", valid: valid, date: rec[1]})
	}
}

// checkSpec refuses a key the program does not know (it would read column 0).
func checkSpec(spec string) error {
	for _, p := range strings.Split(spec, "+") {
		switch p {
		case "hs4", "hs2", "taxrate", "routed":
		default:
			if _, ok := col[p]; !ok {
				return fmt.Errorf("unknown key %q in %q (want column names joined with +, e.g. hs6+origin)", p, spec)
			}
		}
	}
	return nil
}

func explore(args []string) error {
	dir := "testdata/kcs-synthetic"
	if len(args) > 0 {
		if st, err := os.Stat(args[0]); err == nil && st.IsDir() {
			dir, args = args[0], args[1:]
		}
	}
	var rows []row
	for i, name := range []string{"df_syn_train_eng.csv", "df_syn_valid_eng.csv"} {
		rs, err := readFile(dir, name, i == 1)
		if err != nil {
			return err
		}
		rows = append(rows, rs...)
	}
	key := func(r row, spec string) string {
		var b strings.Builder
		for _, p := range strings.Split(spec, "+") {
			switch p {
			case "hs4":
				b.WriteString(r.f[12][:min(4, len(r.f[12]))])
			case "hs2":
				b.WriteString(r.f[12][:min(2, len(r.f[12]))])
			case "taxrate":
				b.WriteString(r.f[15])
			case "routed":
				b.WriteString(strconv.FormatBool(r.f[13] != r.f[14]))
			default:
				b.WriteString(r.f[col[p]])
			}
			b.WriteByte('|')
		}
		return b.String()
	}
	const prior, weight = 0.215, 5.0
	specs := args
	for _, spec := range specs {
		if err := checkSpec(spec); err != nil {
			return err
		}
	}
	if len(specs) == 0 {
		specs = []string{"importer", "declarant", "seller", "courier", "hs6", "hs4", "hs2", "origin", "departure", "office", "taxtype", "taxrate", "oi", "importtype", "importuse", "payment", "mode",
			"hs6+origin", "hs6+departure", "hs6+importer", "hs6+declarant", "hs6+seller", "hs6+taxrate", "hs6+routed", "hs4+origin", "importer+declarant", "importer+seller", "hs6+office", "hs6+taxtype", "taxtype+taxrate", "hs6+oi"}
	}
	scores := map[string][]float64{}
	for _, spec := range specs {
		h := map[string]*stat{}
		var pending []struct {
			k string
			y int
		}
		cur := ""
		var sc []float64
		for _, r := range rows {
			if r.date != cur {
				for _, p := range pending {
					s := h[p.k]
					if s == nil {
						s = &stat{}
						h[p.k] = s
					}
					s.n++
					s.k += float64(p.y)
				}
				pending = pending[:0]
				cur = r.date
			}
			k := key(r, spec)
			if r.valid {
				s := h[k]
				v := prior
				if s != nil {
					v = (s.k + weight*prior) / (s.n + weight)
				}
				sc = append(sc, v)
			}
			pending = append(pending, struct {
				k string
				y int
			}{k, r.fraud})
		}
		scores["hist:"+spec] = sc
	}
	// raw numeric columns (both directions)
	num := func(name string, fn func(r row) float64) {
		var a, b []float64
		for _, r := range rows {
			if r.valid {
				v := fn(r)
				a = append(a, v)
				b = append(b, -v)
			}
		}
		scores["raw:"+name+"+"] = a
		scores["raw:"+name+"-"] = b
	}
	pf := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	num("taxrate", func(r row) float64 { return pf(r.f[15]) })
	num("mass", func(r row) float64 { return pf(r.f[18]) })
	num("price", func(r row) float64 { return pf(r.f[19]) })
	num("perkg", func(r row) float64 { return pf(r.f[19]) / math.Max(pf(r.f[18]), 0.1) })
	num("duty", func(r row) float64 { return pf(r.f[19]) * pf(r.f[15]) })
	num("routed", func(r row) float64 {
		if r.f[13] != r.f[14] {
			return 1
		}
		return 0
	})
	var y, crit []int
	for _, r := range rows {
		if r.valid {
			y = append(y, r.fraud)
			c := 0
			if r.critical {
				c = 1
			}
			crit = append(crit, c)
		}
	}
	names := make([]string, 0, len(scores))
	for n := range scores {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Printf("%-26s %s\n", fmt.Sprintf("feature (valid, n=%d)", len(y)), "prec@1%  prec@2%  prec@5%  prec@10%  rec@10%  crit-rec@10%  AUC")
	for _, n := range names {
		p, rc, cr := atK(scores[n], y, crit)
		fmt.Printf("%-26s %.3f    %.3f    %.3f    %.3f     %.3f    %.3f        %.3f\n", n, p[0], p[1], p[2], p[3], rc, cr, auc(scores[n], y))
	}
	return nil
}

// atK ranks by score (ties share the inspected fraction evenly: expected
// values under random tie-breaking).
func atK(s []float64, y, crit []int) (prec [4]float64, rec10, crit10 float64) {
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return s[idx[a]] > s[idx[b]] })
	tot, totc := 0.0, 0.0
	for i := range y {
		tot += float64(y[i])
		totc += float64(crit[i])
	}
	for j, rate := range []float64{0.01, 0.02, 0.05, 0.10} {
		n := rate * float64(len(s))
		got, gotc, taken := 0.0, 0.0, 0.0
		for i := 0; i < len(idx) && taken < n; {
			k := i
			var yy, cc float64
			for k < len(idx) && s[idx[k]] == s[idx[i]] {
				yy += float64(y[idx[k]])
				cc += float64(crit[idx[k]])
				k++
			}
			m := float64(k - i)
			f := math.Min(1, (n-taken)/m)
			got += f * yy
			gotc += f * cc
			taken += f * m
			i = k
		}
		prec[j] = got / n
		if rate == 0.10 {
			rec10, crit10 = got/tot, gotc/totc
		}
	}
	return
}

func auc(s []float64, y []int) float64 {
	idx := make([]int, len(s))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return s[idx[a]] < s[idx[b]] })
	// rank-sum with average ranks for ties
	ranks := make([]float64, len(s))
	for i := 0; i < len(idx); {
		k := i
		for k < len(idx) && s[idx[k]] == s[idx[i]] {
			k++
		}
		for j := i; j < k; j++ {
			ranks[idx[j]] = float64(i+k+1) / 2
		}
		i = k
	}
	var np, nn, rs float64
	for i := range y {
		if y[i] == 1 {
			np++
			rs += ranks[i]
		} else {
			nn++
		}
	}
	return (rs - np*(np+1)/2) / (np * nn)
}
