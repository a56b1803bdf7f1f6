package backtest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"pilotsim/datamodel"
	"pilotsim/sim/risk"
)

// testMapping is a small mapping of a hand-made layout.
const testMapping = `
name: test
fields:
  date: {column: day}
  trader: {column: imp}
  origin: {column: orig, codes: {XX: ""}}
  hs: {column: hs, digits: 6, pad: true}
  mode: {column: mode, codes: {"1": sea, "4": air}}
  gross_weight: {column: kg}
  value: {column: val}
columns:
  importer: {column: imp}
  office: {column: office}
  rate: {column: rate, type: number}
  duty: {column: val, type: number, times: rate, scale: 0.01}
outcome:
  irregular: {column: found, values: ["Y"]}
  revenue: {column: recovered}
  classes:
    drugs: {column: kind, values: [N]}
`

func mustMapping(t testing.TB, src string) *Mapping {
	t.Helper()
	m, err := ParseMapping("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// readAll reads every row of csv through m with schema, returning the
// declarations and the errors (bad rows).
func readAll(t *testing.T, m *Mapping, schema *risk.ExtraSchema, hist *History, csv string) ([]Decl, []error) {
	t.Helper()
	rd, err := NewReader("in.csv", strings.NewReader(csv), m, schema, hist)
	if err != nil {
		t.Fatal(err)
	}
	var ds []Decl
	var errs []error
	for {
		var d Decl
		err := rd.Next(&d)
		if err == io.EOF {
			return ds, errs
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ds = append(ds, d)
	}
}

func TestReaderConverts(t *testing.T) {
	m := mustMapping(t, testMapping)
	schema := &risk.ExtraSchema{
		Fields: []risk.ExtraField{
			{Name: "office", Conds: []risk.StringCond{{In: []string{"A1"}}, {Prefix: []string{"B"}}}},
			{Name: "duty", Numeric: true},
			{Name: "value_per_kg", Numeric: true},
			{Name: "hs", Conds: []risk.StringCond{{Prefix: []string{"0306"}}}},
		},
	}
	in := "day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n" +
		"2021-01-02,I1,CN,8471.30.0000,1,10,200,A1,8,Y,16,N\n" +
		"2021-01-02,I2,XX,30617,4,0,50,B7,,N,,\n"
	ds, errs := readAll(t, m, schema, NewHistory(), in)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(ds) != 2 {
		t.Fatalf("read %d rows, want 2", len(ds))
	}
	a, b := ds[0], ds[1]
	cn, _ := datamodel.ParseCountry("CN")
	checks := []struct {
		name      string
		got, want any
	}{
		{"line of row 1", a.Line, 2},
		{"line of row 2", b.Line, 3},
		{"day", a.Day, int32(datamodel.DaysFromCivil(2021, 1, 2))},
		{"origin", a.C.Origin, cn},
		{"origin XX → none", b.C.Origin, datamodel.NoCountry},
		{"HS10 → HS6", a.C.HS, uint32(847130)},
		{"HS padded", b.C.HS, uint32(30617)},
		{"mode code 1", a.C.Mode, datamodel.ModeSea},
		{"mode code 4", b.C.Mode, datamodel.ModeAir},
		{"value per kg", a.C.ValuePerKg, 20.0},
		{"irregular", a.Irregular, true},
		{"revenue", a.Revenue, 16.0},
		{"class drugs", a.Classes, uint16(1)},
		{"regular", b.Irregular, false},
		{"office A1 meets cond 0 only", a.X.Bits[0], uint64(1)},
		{"office B7 meets cond 1 only", b.X.Bits[0], uint64(2)},
		{"duty = val × rate / 100", a.X.Num[1], 16.0},
		{"value per kg slot", a.X.Num[2], 20.0},
		{"hs prefix on padded code", b.X.Bits[3], uint64(1)},
		{"hs prefix not met", a.X.Bits[3], uint64(0)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	// Missing numbers are NaN: no range can hold.
	if !math.IsNaN(b.X.Num[1]) || !math.IsNaN(b.C.ValuePerKg) {
		t.Errorf("missing rate and zero weight: duty %v, value per kg %v, want NaN", b.X.Num[1], b.C.ValuePerKg)
	}
}

func TestReaderBadRows(t *testing.T) {
	m := mustMapping(t, testMapping)
	head := "day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n"
	hist := &risk.ExtraSchema{Histories: []risk.HistoryKey{{Parts: []string{"importer"}}}}
	cases := []struct {
		why    string
		row    string
		schema *risk.ExtraSchema
		line   int
		column string
		reason string
	}{
		{"too few fields", "2021-01-02,I1,CN", nil, 2, "", "expected 12 fields"},
		{"bad number", "2021-01-02,I1,CN,847130,1,ten,200,A,8,Y,1,", nil, 2, "kg", "expected a number"},
		{"bad country", "2021-01-02,I1,C1,847130,1,10,200,A,8,Y,1,", nil, 2, "orig", "ISO 3166-1"},
		{"unknown mode code", "2021-01-02,I1,CN,847130,7,10,200,A,8,Y,1,", nil, 2, "mode", "transport mode"},
		{"bad date", "2021-02-30,I1,CN,847130,1,10,200,A,8,Y,1,", nil, 2, "day", "expected a date"},
		{"HS chapter 77", "2021-01-02,I1,CN,770000,1,10,200,A,8,Y,1,", nil, 2, "hs", "chapter"},
		{"missing outcome", "2021-01-02,I1,CN,847130,1,10,200,A,8,,1,", nil, 2, "found", "outcome is missing"},
		{"out of date order with history", "2021-01-03,I1,CN,847130,1,10,200,A,8,Y,1,\n2021-01-02,I1,CN,847130,1,10,200,A,8,Y,1,", hist, 3, "day", "date order"},
		{"missing date with history", ",I1,CN,847130,1,10,200,A,8,Y,1,", hist, 2, "day", "date is missing"},
	}
	for _, c := range cases {
		_, errs := readAll(t, m, c.schema, NewHistory(), head+c.row+"\n")
		if len(errs) != 1 {
			t.Errorf("%s: got errors %v, want one", c.why, errs)
			continue
		}
		var re *RowError
		if !errors.As(errs[0], &re) {
			t.Errorf("%s: got %T %v, want a *RowError", c.why, errs[0], errs[0])
			continue
		}
		if re.Line != c.line || re.Column != c.column || !strings.Contains(re.Reason, c.reason) {
			t.Errorf("%s: got line %d column %q reason %q, want line %d column %q reason containing %q",
				c.why, re.Line, re.Column, re.Reason, c.line, c.column, c.reason)
		}
	}
}

func TestReaderMissingColumn(t *testing.T) {
	m := mustMapping(t, testMapping)
	_, err := NewReader("in.csv", strings.NewReader("day,imp\n"), m, nil, nil)
	if err == nil || !strings.Contains(err.Error(), `"orig" (fields.origin)`) {
		t.Fatalf("got %v, want the missing columns named", err)
	}
}

// TestReaderMissingColumnsOrder checks that the missing columns are named in
// one order, the fields' sorted names: the error must not change from run to
// run with Go's map iteration.
func TestReaderMissingColumnsOrder(t *testing.T) {
	m := mustMapping(t, testMapping)
	want := `in.csv:1: the header has no column "kg" (fields.gross_weight), "hs" (fields.hs), "mode" (fields.mode), "orig" (fields.origin), "val" (fields.value), "found" (outcome.irregular), "recovered" (outcome.revenue), "kind" (outcome.classes.drugs)`
	for i := 0; i < 20; i++ {
		_, err := NewReader("in.csv", strings.NewReader("day,imp\n"), m, nil, nil)
		if err == nil || err.Error() != want {
			t.Fatalf("try %d: got\n%v\nwant\n%s", i, err, want)
		}
	}
}

// TestMappingBadCodesOrder checks that bad codes are reported in the codes'
// sorted order, the same every time (not Go's map order).
func TestMappingBadCodesOrder(t *testing.T) {
	src := strings.Replace(testMapping, `codes: {"1": sea, "4": air}`, `codes: {"1": ship, "2": plane, "3": truck, "4": air, "5": boat}`, 1)
	src = strings.Replace(src, `codes: {XX: ""}`, `codes: {XX: "", A: ZZ, B: QQ, C: "1"}`, 1)
	var first string
	for i := 0; i < 20; i++ {
		_, err := ParseMapping("m.yaml", []byte(src))
		if err == nil {
			t.Fatal("bad codes accepted")
		}
		if i == 0 {
			first = err.Error()
			for _, w := range [][2]string{{`"1" maps to "ship"`, `"2" maps to "plane"`}, {`"2" maps to "plane"`, `"5" maps to "boat"`}, {`"A" maps to "ZZ"`, `"B" maps to "QQ"`}, {`"B" maps to "QQ"`, `"C" maps to "1"`}} {
				a, b := strings.Index(first, w[0]), strings.Index(first, w[1])
				if a < 0 || b < 0 || a > b {
					t.Errorf("want %s before %s in\n%s", w[0], w[1], first)
				}
			}
			continue
		}
		if err.Error() != first {
			t.Fatalf("try %d: the error changed:\n%v\nfirst:\n%s", i, err, first)
		}
	}
}

// TestHistoryNoLookAhead checks the day buffering: declarations of one date
// never see each other's outcomes, and a later day sees all earlier ones.
func TestHistoryNoLookAhead(t *testing.T) {
	m := mustMapping(t, testMapping)
	schema := &risk.ExtraSchema{Histories: []risk.HistoryKey{{Parts: []string{"importer"}}, {Parts: []string{"hs:4", "importer"}}}}
	in := "day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n" +
		"2021-01-01,I1,CN,847130,1,1,1,A,1,Y,1,\n" + // I1: nothing known yet
		"2021-01-01,I1,CN,847150,1,1,1,A,1,Y,1,\n" + // same day: still nothing
		"2021-01-02,I1,CN,847150,1,1,1,A,1,N,1,\n" + // sees 2 earlier, 2 irregular; heading 8471 too
		"2021-01-02,I2,CN,847130,1,1,1,A,1,N,1,\n" + // another importer: nothing
		"2021-01-05,I1,CN,010121,1,1,1,A,1,N,1,\n" // sees 3, 2 irregular; heading 0101 new
	ds, errs := readAll(t, m, schema, NewHistory(), in)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := [][4]uint32{{0, 0, 0, 0}, {0, 0, 0, 0}, {2, 2, 2, 2}, {0, 0, 0, 0}, {3, 2, 0, 0}}
	for i, d := range ds {
		got := [4]uint32{d.X.Count[0], d.X.Irregular[0], d.X.Count[1], d.X.Irregular[1]}
		if got != want[i] {
			t.Errorf("row %d: count, irregular (importer; heading+importer) = %v, want %v", i+1, got, want[i])
		}
	}
}

// kcsData returns the content of one of the Korean customs files: from
// PILOTSIM_KCS_DIR when set (plain files), else from the gzipped copy in
// testdata/kcs-synthetic (always in the repository, so CI reads the real
// data too).
func kcsData(t testing.TB, name string) []byte {
	t.Helper()
	for _, d := range []string{os.Getenv("PILOTSIM_KCS_DIR")} {
		if d == "" {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(d, name)); err == nil {
			return b
		}
	}
	f, err := os.Open(filepath.Join("../../testdata/kcs-synthetic", name+".gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestKCSMappingReadsAll reads every row of the three Korean files through the
// shipped mapping, with a history per importer and per HS code and origin.
func TestKCSMappingReadsAll(t *testing.T) {
	m, err := LoadMapping("../../scenarios/examples/kcs/kcs-mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	schema := &risk.ExtraSchema{
		Fields:    []risk.ExtraField{{Name: "tax_rate", Numeric: true}, {Name: "office", Conds: []risk.StringCond{{In: []string{"20"}}}}},
		Histories: []risk.HistoryKey{{Parts: []string{"importer"}}, {Parts: []string{"hs", "origin"}}},
	}
	hist := NewHistory()
	for _, f := range []struct {
		name string
		rows int
	}{{"df_syn_train_eng.csv", 37385}, {"df_syn_valid_eng.csv", 8134}, {"df_syn_test_eng.csv", 8481}} {
		rd, err := NewReader(f.name, bytes.NewReader(kcsData(t, f.name)), m, schema, hist)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		var d Decl
		for {
			err := rd.Next(&d)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			n++
		}
		if n != f.rows {
			t.Errorf("%s: read %d rows, want %d", f.name, n, f.rows)
		}
	}
}

// FuzzParseMapping: any mapping text gives a mapping or an error, never a
// panic.
func FuzzParseMapping(f *testing.F) {
	f.Add(testMapping)
	if b, err := os.ReadFile("../../scenarios/examples/kcs/kcs-mapping.yaml"); err == nil {
		f.Add(string(b))
	}
	f.Add("fields: {hs: {column: x, digits: 11}}\noutcome: {irregular: {column: y}}")
	f.Fuzz(func(t *testing.T, src string) {
		m, err := ParseMapping("fuzz.yaml", []byte(src))
		if err == nil && m.Outcome.Irregular.Column == "" {
			t.Fatal("a mapping without the irregular column was accepted")
		}
	})
}

// FuzzReader: any CSV text read through the test mapping, with field and
// history criteria, gives declarations or row errors, never a panic; every
// error of a row is a *RowError with a line.
func FuzzReader(f *testing.F) {
	f.Add("day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n2021-01-02,I1,CN,8471.30.0000,1,10,200,A1,8,Y,16,N\n")
	f.Add("day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n2021-01-02,I1,XX,30617,4,0,50,B7,,N,,\n2021-01-01,\"I\n2\",CN,1,1,1,1,1,1,Y,1,1\n")
	m := mustMapping(f, testMapping)
	f.Fuzz(func(t *testing.T, in string) {
		schema := &risk.ExtraSchema{
			Fields:    []risk.ExtraField{{Name: "office", Conds: []risk.StringCond{{Prefix: []string{"A"}}}}, {Name: "duty", Numeric: true}},
			Histories: []risk.HistoryKey{{Parts: []string{"importer"}}, {Parts: []string{"hs:4", "origin"}}},
		}
		rd, err := NewReader("f.csv", strings.NewReader(in), m, schema, NewHistory())
		if err != nil {
			return
		}
		for i := 0; i < 1000; i++ {
			var d Decl
			err := rd.Next(&d)
			if err == io.EOF {
				return
			}
			var re *RowError
			if err != nil && (!errors.As(err, &re) || re.Line < 2) {
				t.Fatalf("error %v (%T), want a *RowError with a line >= 2", err, err)
			}
		}
	})
}

// TestUnknownOutcome: with outcome.unknown: regular, a declaration without
// an outcome counts as regular and stays out of the history.
func TestUnknownOutcome(t *testing.T) {
	m := mustMapping(t, strings.Replace(testMapping, "  irregular: {column: found, values: [\"Y\"]}",
		"  irregular: {column: found, values: [\"Y\"]}\n  unknown: regular", 1))
	schema := &risk.ExtraSchema{Histories: []risk.HistoryKey{{Parts: []string{"importer"}}}}
	in := "day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n" +
		"2021-01-01,I1,CN,847130,1,1,1,A,1,,1,\n" + // not controlled
		"2021-01-01,I1,CN,847130,1,1,1,A,1,Y,1,\n" +
		"2021-01-02,I1,CN,847130,1,1,1,A,1,N,1,\n" // sees 1 known, 1 irregular
	ds, errs := readAll(t, m, schema, NewHistory(), in)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if ds[0].Known || ds[0].Irregular || !ds[1].Known {
		t.Errorf("known/irregular: %v/%v, %v/%v", ds[0].Known, ds[0].Irregular, ds[1].Known, ds[1].Irregular)
	}
	if ds[2].X.Count[0] != 1 || ds[2].X.Irregular[0] != 1 {
		t.Errorf("history count %d irregular %d, want 1 and 1 (the unknown outcome is left out)", ds[2].X.Count[0], ds[2].X.Irregular[0])
	}
	if _, err := ParseMapping("m.yaml", []byte(strings.Replace(testMapping, "values: [\"Y\"]}", "values: [\"Y\"]}\n  unknown: maybe", 1))); err == nil || !strings.Contains(err.Error(), "expected bad or regular") {
		t.Errorf("unknown: maybe gave %v", err)
	}
}

// TestReaderReusedDecl: reading every row into one Decl (as Run does, which
// clears only the slots the schema uses) gives each row what reading it
// into a fresh Decl gives, bad rows and missing key parts between them
// included.
func TestReaderReusedDecl(t *testing.T) {
	m := mustMapping(t, testMapping)
	schema := func() *risk.ExtraSchema {
		return &risk.ExtraSchema{
			Fields: []risk.ExtraField{
				{Name: "office", Conds: []risk.StringCond{{In: []string{"A1"}}, {Prefix: []string{"B"}}}},
				{Name: "duty", Numeric: true},
			},
			Histories: []risk.HistoryKey{{Parts: []string{"importer"}}, {Parts: []string{"hs:4", "office"}}},
		}
	}
	in := "day,imp,orig,hs,mode,kg,val,office,rate,found,recovered,kind\n" +
		"2021-01-01,I1,CN,847130,1,10,200,A1,8,Y,16,N\n" +
		"2021-01-02,I1,CN,847130,1,10,200,A1,8,Y,16,N\n" +
		"2021-01-02,I1,CN,847130,1,10,x,A1,8,Y,16,N\n" + // bad value
		"2021-01-03,,CN,847130,1,10,200,,,N,,\n" + // no importer, no office, no rate
		"2021-01-03,I1,CN,847130,1,10,200,B2,8,N,,\n"
	want, wantErrs := readAll(t, m, schema(), NewHistory(), in)
	rd, err := NewReader("in.csv", strings.NewReader(in), m, schema(), NewHistory())
	if err != nil {
		t.Fatal(err)
	}
	var got []Decl
	var errs []error
	var d Decl
	for {
		err := rd.Next(&d)
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, d)
	}
	if len(want) != 4 || len(wantErrs) != 1 || len(errs) != 1 {
		t.Fatalf("rows %d (fresh), errors %v (fresh) %v (reused)", len(want), wantErrs, errs)
	}
	if want[2].X.Count[0] != 0 || want[3].X.Count[0] != 2 {
		t.Fatalf("fresh Decls: importer counts %d, %d, want 0, 2", want[2].X.Count[0], want[3].X.Count[0])
	}
	for i := range want {
		if fmt.Sprintf("%+v", got[i]) != fmt.Sprintf("%+v", want[i]) {
			t.Errorf("row %d into a reused Decl:\n%+v\nwant\n%+v", i+1, got[i], want[i])
		}
	}
}
