package datamodel_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"pilotsim/datamodel"
	"pilotsim/datamodel/internal/synth"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func country(t testing.TB, code string) datamodel.Country {
	t.Helper()
	c, err := datamodel.ParseCountry(code)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// base returns a valid record with every field set.
func base(t testing.TB) *datamodel.Consignment {
	return &datamodel.Consignment{
		UCR:              "5CN913500001234-000017",
		Consignor:        datamodel.Party{Name: "Ningbo Golden Trading Co., Ltd.", ID: "CN913500001234"},
		Consignee:        datamodel.Party{Name: "Rotterdam \"Delta\" Import B.V.", ID: "NL123456789"},
		Importer:         datamodel.Party{Name: "Rotterdam Delta Import B.V.", ID: "NL123456789"},
		Exporter:         datamodel.Party{Name: "Ningbo Golden Trading Co., Ltd.", ID: "CN913500001234"},
		Carrier:          datamodel.Party{Name: "Blue Meridian Lines", ID: "NL100000000"},
		NotifyParty:      datamodel.Party{Name: "Zwolle Forwarding B.V.", ID: "NL987654321"},
		Declarant:        datamodel.Party{Name: "Tilburg Customs Services B.V.", ID: "NL555555555"},
		GoodsDescription: "Laptop computers, 14\"; in cartons",
		HS:               847130,
		Packages:         120,
		GrossWeight:      540.5,
		CustomsValue:     97290.25,
		Currency:         "EUR",
		Origin:           country(t, "CN"),
		Dispatch:         country(t, "CN"),
		Routing:          []datamodel.Country{country(t, "CN"), country(t, "SG"), country(t, "NL")},
		PlaceOfLoading:   "CNNGB",
		PlaceOfDischarge: "NLRTM",
		Mode:             datamodel.ModeSea,
		MeansOfTransport: "IMO9321483",
		ConveyanceRef:    "042W",
		Containers:       []string{"CSQU3054383", "MEDU8707688"},
		Seals:            []string{"ML-1234567", "ML-1234568"},
		Lodgement:        time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC),
		Arrival:          time.Date(2025, 3, 20, 14, 30, 0, 0, time.UTC),
		AEO:              true,
		Outcome: datamodel.Outcome{
			Controls:      datamodel.ControlNII | datamodel.ControlPhysical,
			Result:        datamodel.ResultIrregular,
			Threat:        "revenue_undervaluation",
			DutyRecovered: 1234.5,
		},
	}
}

func writeCSV(t testing.TB, recs ...*datamodel.Consignment) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := datamodel.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range recs {
		if err := w.Write(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// readAll reads every row: good records (cloned) and row errors.
func readAll(t testing.TB, data []byte) ([]*datamodel.Consignment, []*datamodel.RowError) {
	t.Helper()
	r, err := datamodel.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var good []*datamodel.Consignment
	var bad []*datamodel.RowError
	for {
		c, err := r.Next()
		if err == io.EOF {
			return good, bad
		}
		var re *datamodel.RowError
		switch {
		case errors.As(err, &re):
			bad = append(bad, re)
		case err != nil:
			t.Fatalf("Next: %v", err)
		default:
			good = append(good, c.Clone())
		}
	}
}

// withCell returns the CSV text of c with the named column set to value.
func withCell(t *testing.T, c *datamodel.Consignment, column, value string) []byte {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(writeCSV(t, c))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.Index(rows[0], column)
	if i < 0 {
		t.Fatalf("no column %q", column)
	}
	rows[1][i] = value
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows)
	return b.Bytes()
}

// TestFieldRules sets one cell of a valid row at a time and checks the Reader
// accepts it or names the column with the expected problem.
func TestFieldRules(t *testing.T) {
	for _, tc := range []struct {
		column, value string
		problem       string // "" for valid; "missing" for an empty required value
		why           string
	}{
		{"ucr", "", "missing", "required"},
		{"ucr", strings.Repeat("A", 36), "more than 35", "an..35"},
		{"consignor_name", "", "missing", "required"},
		{"consignor_name", "Société Générale d'Import, S.A.", "", "UTF-8 names with commas and quotes"},
		{"consignor_name", "Line\nbreak", "control character", "no line breaks in names"},
		{"consignor_name", strings.Repeat("x", 513), "more than 512", "text bound"},
		{"consignor_name", "\xff\xfe", "UTF-8", "bytes that are not UTF-8"},
		{"consignor_name", " Padded", "space", "invisible padding"},
		{"consignor_id", "", "", "optional"},
		{"consignor_id", strings.Repeat("1", 36), "more than 35", "id bound"},
		{"consignee_name", "", "missing", "required"},
		{"importer_name", "", "", "optional"},
		{"notify_party_id", "NL 123", "", "ids may hold a space"},
		{"declarant_id", "NLé", "printable ASCII", "ids are ASCII"},
		{"goods_description", "", "missing", "required"},
		{"hs_code", "", "missing", "required"},
		{"hs_code", "80390", "5 digits", "a dropped leading zero"},
		{"hs_code", "770000", "chapter 77", "reserved chapter"},
		{"hs_code", "991000", "chapter 99", "not an HS chapter"},
		{"packages", "0", "", "bulk: 0 packages"},
		{"packages", "-1", "negative", "non-negative"},
		{"packages", "1.5", "whole number", "packages are counted"},
		{"packages", "99999999999", "too large", "bound"},
		{"gross_weight_kg", "0", "", "zero is allowed"},
		{"gross_weight_kg", "1e3", "", "exponent"},
		{"gross_weight_kg", "-0.1", "negative", "non-negative"},
		{"gross_weight_kg", "NaN", "not a decimal", "NaN"},
		{"gross_weight_kg", "Inf", "not a decimal", "infinity"},
		{"gross_weight_kg", "0x1p3", "not a decimal", "hexadecimal float"},
		{"gross_weight_kg", "1,5", "not a decimal", "decimal comma"},
		{"gross_weight_kg", "1e400", "out of range", "overflow"},
		{"customs_value", "", "missing", "required"},
		{"customs_value", "-5", "negative", "non-negative"},
		{"currency", "", "missing", "required"},
		{"currency", "XYZ", "ISO 4217", "unknown code"},
		{"country_of_origin", "", "missing", "required"},
		{"country_of_origin", "UK", "ISO 3166-1", "GB is the code"},
		{"country_of_dispatch", "cn", "ISO 3166-1", "lower case"},
		{"countries_of_routing", "", "", "optional"},
		{"countries_of_routing", "CN", "", "one country"},
		{"countries_of_routing", "CN;XX;NL", "ISO 3166-1", "bad item"},
		{"countries_of_routing", "CN;;NL", "is empty", "empty item"},
		{"countries_of_routing", "CN;", "is empty", "trailing separator"},
		{"place_of_loading", "", "", "optional"},
		{"place_of_loading", "CNSH", "not 5", "too short"},
		{"place_of_discharge", "ZZRTM", "country code", "unassigned country"},
		{"transport_mode", "", "missing", "required"},
		{"transport_mode", "SEA", "transport mode", "case matters"},
		{"means_of_transport_id", "", "", "optional"},
		{"conveyance_reference", "V\x01", "printable ASCII", "control character"},
		{"container_numbers", "", "", "optional"},
		{"container_numbers", "CSQU3054383;CSQU3054384", "gives 3", "second container's check digit"},
		{"container_numbers", "CSQU3054383,MEDU8707688", "not 11", "comma instead of ';'"},
		{"seal_numbers", "A1;;B2", "is empty", "empty item"},
		{"seal_numbers", "A 1", "character", "space in a seal"},
		{"lodgement_time", "", "missing", "required"},
		{"lodgement_time", "2025-03-01", "RFC 3339", "date only"},
		{"lodgement_time", "2025-03-21T09:00:00+01:00", "", "after arrival, another offset"},
		{"lodgement_time", "2024-08-01T00:00:00Z", "days before arrival_time", "more than 200 days early"},
		{"lodgement_time", "2025-06-20T14:30:00Z", "days after arrival_time", "more than 90 days late"},
		{"lodgement_time", "2025-06-18T14:30:00Z", "", "within 90 days after"},
		{"arrival_time", "1800-01-01T00:00:00Z", "before 1900", "implausible year"},
		{"aeo", "", "missing", "required"},
		{"aeo", "no", "", ""},
		{"aeo", "false", "", "true/false accepted"},
		{"aeo", "maybe", "yes or no", ""},
		{"control", "", "control: missing", "irregular is given, so the control must be"},
		{"control", "none", "no control was performed", "a finding needs a control"},
		{"control", "audit", "", "post-clearance audit finds things too"},
		{"control", "xray", "not a list", "unknown control"},
		{"irregular", "no", "is given but irregular is not yes", "threat and duty on a clean result"},
		{"irregular", "perhaps", "yes or no", ""},
		{"threat", "", "", "optional"},
		{"duty_recovered", "", "", "empty means none"},
		{"duty_recovered", "-1", "negative", ""},
	} {
		t.Run(tc.column+"="+tc.value, func(t *testing.T) {
			good, bad := readAll(t, withCell(t, base(t), tc.column, tc.value))
			if tc.problem == "" {
				if len(bad) > 0 {
					t.Fatalf("%s: unexpected %v", tc.why, bad[0])
				}
				if len(good) != 1 {
					t.Fatalf("read %d records", len(good))
				}
				return
			}
			if len(bad) != 1 || len(good) != 0 {
				t.Fatalf("%s: want one bad row, got %d good, %d bad", tc.why, len(good), len(bad))
			}
			re := bad[0]
			if re.Row != 1 || re.Line != 2 {
				t.Errorf("row %d line %d, want row 1 line 2", re.Row, re.Line)
			}
			found := false
			for _, fe := range re.Fields {
				msg := fe.Message()
				if strings.Contains(msg, tc.problem) {
					found = true
					if fe.Line != 2 || fe.Col < 1 || fe.Expected == "" {
						t.Errorf("field error %+v lacks a position or an expectation", fe)
					}
				}
			}
			if !found {
				t.Errorf("%s: %v does not mention %q", tc.why, re, tc.problem)
			}
		})
	}
}

// TestErrorPositions checks the line and byte column of an error point at the
// value, also after a value with an embedded line break.
func TestErrorPositions(t *testing.T) {
	good := base(t)
	badHS := base(t)
	badHS.HS = 771100
	badHS.GoodsDescription = "Two\nlines" // a quoted multi-line value: its row spans two lines
	badHS.Consignor.Name = "A"
	data := writeCSV(t, good, badHS)
	_, bad := readAll(t, data)
	if len(bad) != 1 {
		t.Fatalf("got %d bad rows, want 1", len(bad))
	}
	re := bad[0]
	if re.Row != 2 || re.Line != 3 {
		t.Errorf("row %d line %d, want row 2 starting on line 3", re.Row, re.Line)
	}
	var hs *datamodel.FieldError
	for i := range re.Fields {
		if re.Fields[i].Column == "hs_code" {
			hs = &re.Fields[i]
		}
	}
	if hs == nil {
		t.Fatalf("no hs_code error in %v", re)
	}
	lines := strings.Split(string(data), "\n")
	if hs.Line != 4 || !strings.HasPrefix(lines[hs.Line-1][hs.Col-1:], "771100,") {
		t.Errorf("hs_code error at %d:%d, which does not point at the value", hs.Line, hs.Col)
	}
}

func TestRoundTrip(t *testing.T) {
	var recs []*datamodel.Consignment
	recs = append(recs, base(t))

	// Edge cases: minimal record, other time zones and nanoseconds, empty
	// lists, no outcome, extreme numbers.
	min := &datamodel.Consignment{
		UCR: "A", Consignor: datamodel.Party{Name: "x"}, Consignee: datamodel.Party{Name: "y"},
		GoodsDescription: "z", HS: 10121, Currency: "USD", Origin: country(t, "AD"), Dispatch: country(t, "ZW"),
		Mode:      datamodel.ModePostal,
		Lodgement: time.Date(2030, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -9*3600-30*60)),
		Arrival:   time.Date(2031, 1, 1, 1, 0, 0, 1, time.FixedZone("", 5*3600+45*60)),
	}
	recs = append(recs, min)
	big := base(t)
	big.GrossWeight, big.CustomsValue, big.Packages = 1e15+0.5, math.SmallestNonzeroFloat64, 1<<31-1
	big.Outcome = datamodel.Outcome{Controls: datamodel.ControlNone}
	big.GoodsDescription = "  ,\"quoted\", — with unicode ✓ and trailing text"
	big.GoodsDescription = strings.TrimSpace(big.GoodsDescription)
	recs = append(recs, big)

	g := synth.New(42)
	g.Outcomes = true
	for range 3000 {
		var c datamodel.Consignment
		g.Next(&c)
		recs = append(recs, c.Clone())
	}
	for i, c := range recs {
		if err := c.Validate(); err != nil {
			t.Fatalf("record %d does not validate: %v", i, err)
		}
	}
	data := writeCSV(t, recs...)
	got, bad := readAll(t, data)
	if len(bad) > 0 {
		t.Fatalf("%d bad rows, first: %v", len(bad), bad[0])
	}
	if len(got) != len(recs) {
		t.Fatalf("read %d records, wrote %d", len(got), len(recs))
	}
	for i := range recs {
		if !recs[i].Equal(got[i]) {
			t.Fatalf("record %d changed:\nwrote %+v\nread  %+v", i, recs[i], got[i])
		}
	}
	// Writing what was read gives the same bytes.
	if again := writeCSV(t, got...); !bytes.Equal(again, data) {
		t.Error("second write differs from the first")
	}
}

// TestEqualSeesEveryField changes each field of a record in turn: Equal must
// notice, or a field added later would go unchecked by the round-trip test.
func TestEqualSeesEveryField(t *testing.T) {
	var visit func(v reflect.Value, path string)
	n := 0
	visit = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Struct:
			if v.Type() == reflect.TypeOf(time.Time{}) {
				break
			}
			for i := 0; i < v.NumField(); i++ {
				visit(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
			return
		}
		n++
		a, b := base(t), base(t)
		fv := reflect.ValueOf(b).Elem().FieldByIndex(fieldIndex(t, reflect.TypeOf(*b), path))
		switch fv.Kind() {
		case reflect.String:
			fv.SetString(fv.String() + "x")
		case reflect.Int, reflect.Int64:
			fv.SetInt(fv.Int() + 1)
		case reflect.Uint8, reflect.Uint32:
			fv.SetUint(fv.Uint() ^ 1)
		case reflect.Float64:
			fv.SetFloat(fv.Float() + 1)
		case reflect.Bool:
			fv.SetBool(!fv.Bool())
		case reflect.Slice:
			fv.Set(reflect.Append(fv, fv.Index(0)))
		case reflect.Struct: // time.Time
			fv.Set(reflect.ValueOf(fv.Interface().(time.Time).Add(time.Second)))
		default:
			t.Fatalf("%s: kind %s not handled", path, fv.Kind())
		}
		if a.Equal(b) {
			t.Errorf("Equal does not see a change of %s", path)
		}
		if !a.Equal(a.Clone()) {
			t.Errorf("a clone is not Equal")
		}
	}
	visit(reflect.ValueOf(*base(t)), "")
	if n < 38 {
		t.Errorf("visited %d fields; the walk is broken", n)
	}
}

func fieldIndex(t *testing.T, typ reflect.Type, path string) []int {
	var idx []int
	for _, name := range strings.Split(strings.TrimPrefix(path, "."), ".") {
		f, ok := typ.FieldByName(name)
		if !ok {
			t.Fatalf("no field %s", path)
		}
		idx = append(idx, f.Index...)
		typ = f.Type
	}
	return idx
}

func TestCloneIsDeep(t *testing.T) {
	a := base(t)
	b := a.Clone()
	b.Routing[0], b.Containers[0], b.Seals[0] = datamodel.NoCountry, "X", "Y"
	if !a.Equal(base(t)) {
		t.Error("changing a clone's slices changed the original")
	}
}

func TestValidate(t *testing.T) {
	if err := base(t).Validate(); err != nil {
		t.Fatalf("base record: %v", err)
	}
	for _, tc := range []struct {
		mutate  func(c *datamodel.Consignment)
		columns []string
	}{
		{func(c *datamodel.Consignment) { c.Origin = datamodel.NoCountry }, []string{"country_of_origin"}},
		{func(c *datamodel.Consignment) { c.Dispatch = 250 }, []string{"country_of_dispatch"}},
		{func(c *datamodel.Consignment) { c.HS = 0 }, []string{"hs_code"}},
		{func(c *datamodel.Consignment) { c.HS = 1234567 }, []string{"hs_code"}},
		{func(c *datamodel.Consignment) { c.GrossWeight = math.NaN() }, []string{"gross_weight_kg"}},
		{func(c *datamodel.Consignment) { c.CustomsValue = math.Inf(1) }, []string{"customs_value"}},
		{func(c *datamodel.Consignment) { c.Packages = -3 }, []string{"packages"}},
		{func(c *datamodel.Consignment) { c.Mode = datamodel.NumModes }, []string{"transport_mode"}},
		{func(c *datamodel.Consignment) { c.Lodgement = time.Time{} }, []string{"lodgement_time"}},
		{func(c *datamodel.Consignment) { c.Arrival = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, []string{"arrival_time"}},
		{func(c *datamodel.Consignment) { c.Containers = []string{"CSQU3054383;X"} }, []string{"container_numbers"}},
		{func(c *datamodel.Consignment) { c.Routing = []datamodel.Country{datamodel.NoCountry} }, []string{"countries_of_routing"}},
		{func(c *datamodel.Consignment) { c.Routing[1] = datamodel.NoCountry }, []string{"countries_of_routing"}},
		{func(c *datamodel.Consignment) { c.Containers = []string{""} }, []string{"container_numbers"}},
		{func(c *datamodel.Consignment) { c.Seals = []string{""} }, []string{"seal_numbers"}},
		{func(c *datamodel.Consignment) { c.Currency = "" }, []string{"currency"}},
		{func(c *datamodel.Consignment) { c.UCR, c.Consignee.Name = "", "" }, []string{"ucr", "consignee_name"}},
		{func(c *datamodel.Consignment) { c.Outcome.Result = datamodel.ResultClean }, []string{"threat", "duty_recovered"}},
		{func(c *datamodel.Consignment) { c.Outcome = datamodel.Outcome{Threat: "narcotics"} }, []string{"threat"}},
		{func(c *datamodel.Consignment) { c.Outcome.Controls = 0 }, []string{"control"}},
		{func(c *datamodel.Consignment) { c.Lodgement = c.Arrival.Add(-datamodel.MaxLodgementLead - time.Minute) }, []string{"lodgement_time"}},
	} {
		c := base(t)
		tc.mutate(c)
		err := c.Validate()
		var re *datamodel.RowError
		if !errors.As(err, &re) {
			t.Errorf("%v: got %v, want a *RowError", tc.columns, err)
			continue
		}
		var cols []string
		for _, fe := range re.Fields {
			cols = append(cols, fe.Column)
			if fe.Line != 0 {
				t.Errorf("%v: a record not from a file has line %d", tc.columns, fe.Line)
			}
		}
		if !slices.Equal(cols, tc.columns) {
			t.Errorf("got problems in %v, want %v: %v", cols, tc.columns, err)
		}
	}
}

func TestHeaderGolden(t *testing.T) {
	head := writeCSV(t)
	golden := filepath.Join("testdata", "header.golden")
	if *update {
		if err := os.WriteFile(golden, head, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(head, want) {
		t.Errorf("header changed (run go test -update if on purpose):\n got %s\nwant %s", head, want)
	}
	if got := strings.Join(datamodel.ColumnNames(), ",") + "\n"; got != string(head) {
		t.Errorf("ColumnNames %q disagrees with the Writer's header", got)
	}
	cols := datamodel.Columns()
	if len(cols) != 38 || cols[0].Name != "ucr" || cols[0].WCO != "016" || !cols[0].Required {
		t.Errorf("Columns()[0] = %+v of %d", cols[0], len(cols))
	}
}

func TestHeader(t *testing.T) {
	rec := string(writeCSV(t, base(t)))
	head, row, _ := strings.Cut(rec, "\n")
	names := strings.Split(head, ",")
	cells, err := csv.NewReader(strings.NewReader(row)).Read()
	if err != nil {
		t.Fatal(err)
	}
	join := func(ss []string) string {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write(ss)
		w.Flush()
		return b.String()
	}

	t.Run("any order, case and spacing, BOM", func(t *testing.T) {
		n2, c2 := slices.Clone(names), slices.Clone(cells)
		slices.Reverse(n2)
		slices.Reverse(c2)
		n2[3] = " " + strings.ToUpper(n2[3]) + " "
		data := "\uFEFF" + join(n2) + join(c2)
		good, bad := readAll(t, []byte(data))
		if len(bad) > 0 || len(good) != 1 || !good[0].Equal(base(t)) {
			t.Fatalf("reordered header: %d good, bad %v", len(good), bad)
		}
	})
	t.Run("optional columns may be left out", func(t *testing.T) {
		var n2, c2 []string
		for i, n := range names {
			if slices.Contains([]string{"ucr", "consignor_name", "consignee_name", "goods_description", "hs_code",
				"packages", "gross_weight_kg", "customs_value", "currency", "country_of_origin", "country_of_dispatch",
				"transport_mode", "lodgement_time", "arrival_time", "aeo"}, n) {
				n2, c2 = append(n2, n), append(c2, cells[i])
			}
		}
		good, bad := readAll(t, []byte(join(n2)+join(c2)))
		if len(bad) > 0 || len(good) != 1 || good[0].Outcome.Recorded() || len(good[0].Containers) > 0 {
			t.Fatalf("required columns only: %d good, bad %v", len(good), bad)
		}
	})
	t.Run("unknown columns are kept aside", func(t *testing.T) {
		data := join(append([]string{"score"}, append(slices.Clone(names), "lane")...)) +
			join(append([]string{"12.5"}, append(slices.Clone(cells), "red")...))
		r, err := datamodel.NewReader(strings.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if u := r.Unknown(); !slices.Equal(u, []string{"score", "lane"}) {
			t.Errorf("Unknown = %v", u)
		}
		c, err := r.Next()
		if err != nil || !c.Equal(base(t)) {
			t.Fatalf("Next: %v", err)
		}
		if x := r.Extra(); !slices.Equal(x, []string{"12.5", "red"}) {
			t.Errorf("Extra = %v", x)
		}
	})
	for _, tc := range []struct {
		name, data string
		want       []string
	}{
		{"empty file", "", []string{"the file is empty"}},
		{"data without header", row, []string{"missing required column(s) ucr, consignor_name"}},
		{"missing", strings.Replace(head, "hs_code", "hs", 1) + "\n", []string{"missing required column(s) hs_code"}},
		{"duplicate", head + ",ucr\n", []string{"named twice: ucr"}},
		{"bad CSV", "ucr,\"hs\"x\n", []string{"not CSV"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := datamodel.NewReader(strings.NewReader(tc.data))
			var he *datamodel.HeaderError
			if !errors.As(err, &he) {
				t.Fatalf("got %v, want a *HeaderError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not mention %q", err, w)
				}
			}
			if !strings.HasPrefix(err.Error(), "line 1: header: ") {
				t.Errorf("%q does not give its line", err)
			}
		})
	}
}

// TestFaultyFile reads testdata/faulty.csv: 20 rows, of which 10 carry
// deliberate faults (one row two). Every one must be reported, in order.
func TestFaultyFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "faulty.csv"))
	if err != nil {
		t.Fatal(err)
	}
	good, bad := readAll(t, data)
	type pos struct {
		line   int
		column string
	}
	want := []pos{
		{3, "container_numbers"},     // check digit off by one
		{5, "hs_code"},               // chapter 77
		{7, "gross_weight_kg"},       // negative
		{7, "country_of_origin"},     // XX
		{9, "place_of_loading"},      // 4 characters
		{10, "lodgement_time"},       // not RFC 3339
		{12, "ucr"},                  // 40 characters
		{13, "currency"},             // EURO
		{15, "transport_mode"},       // ship
		{17, "countries_of_routing"}, // empty item
		{19, "control"},              // none, yet irregular
	}
	var got []pos
	for _, re := range bad {
		for _, fe := range re.Fields {
			got = append(got, pos{fe.Line, fe.Column})
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems at\n%v\nwant\n%v", got, want)
	}
	if len(good) != 10 || len(bad) != 10 {
		t.Errorf("%d good and %d bad rows, want 10 and 10", len(good), len(bad))
	}
}

// TestReaderGoesOn checks that broken CSV, a short row and a bad value each
// spoil one row only.
func TestReaderGoesOn(t *testing.T) {
	ok := writeCSV(t, base(t))
	head, row, _ := strings.Cut(string(ok), "\n")
	data := head + "\n" +
		row + // 1 good
		"a,b\"c,d\n" + // 2 bare quote
		"x,y,z\n" + // 3 short row
		strings.Replace(row, "CSQU3054383", "CSQU3054384", 1) + // 4 check digit
		row + // 5 good
		"\"never closed," + row // 6 unterminated quote: swallows the rest
	good, bad := readAll(t, []byte(data))
	if len(good) != 2 {
		t.Errorf("%d good rows, want 2", len(good))
	}
	var rows []int
	for _, re := range bad {
		rows = append(rows, re.Row)
	}
	if !slices.Equal(rows, []int{2, 3, 4, 6}) {
		t.Errorf("bad rows %v, want [2 3 4 6]: %v", rows, bad)
	}
	if len(bad) == 4 {
		if m := bad[0].Error(); !strings.Contains(m, "line 3") || !strings.Contains(m, "bare \"") {
			t.Errorf("bare quote: %q", m)
		}
		if m := bad[1].Error(); !strings.Contains(m, "has 3 fields") || !strings.Contains(m, "38 fields") {
			t.Errorf("short row: %q", m)
		}
	}
}

func TestWriterExtraColumns(t *testing.T) {
	var b bytes.Buffer
	w, err := datamodel.NewWriter(&b, "score", "lane")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteExtra(base(t), []string{"17.5", "red"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(base(t)); err != nil { // extras left empty
		t.Fatal(err)
	}
	if err := w.WriteExtra(base(t), []string{"1"}); err == nil {
		t.Error("one extra value for two extra columns was accepted")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r, err := datamodel.NewReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range [][]string{{"17.5", "red"}, {"", ""}} {
		c, err := r.Next()
		if err != nil || !c.Equal(base(t)) {
			t.Fatalf("Next: %v", err)
		}
		if !slices.Equal(r.Extra(), want) {
			t.Errorf("Extra = %q, want %q", r.Extra(), want)
		}
	}
	for _, bad := range [][]string{{"ucr"}, {"HS_CODE"}, {"x", "x"}, {""}} {
		if _, err := datamodel.NewWriter(io.Discard, bad...); err == nil {
			t.Errorf("extra columns %q accepted", bad)
		}
	}
}

// TestReaderMemory reads 20,000 rows and checks that the heap does not grow
// with the number of rows read (the reader streams).
func TestReaderMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 20,000 rows")
	}
	g := synth.New(3)
	var c datamodel.Consignment
	var b bytes.Buffer
	w, _ := datamodel.NewWriter(&b)
	for range 20000 {
		g.Next(&c)
		_ = w.Write(&c)
	}
	_ = w.Flush()
	r, err := datamodel.NewReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	var heapAt [2]uint64
	for i := 0; ; i++ {
		if _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if i == 2000 || i == 19999 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			heapAt[min(i/10000, 1)] = ms.HeapAlloc
		}
	}
	// After a GC, the live heap holds the input (about 9 MB) and the reader;
	// 10 times more rows read must not add more than a little noise.
	if heapAt[1] > heapAt[0]+1<<20 {
		t.Errorf("live heap grew from %d to %d bytes while reading", heapAt[0], heapAt[1])
	}
}

// TestExampleFileIsGenerated checks the shipped example is exactly what
// `go generate ./datamodel` writes (48 records, seed 1, with outcomes), so it
// cannot drift from the generator or the Writer.
func TestExampleFileIsGenerated(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("..", "scenarios", "examples", "declarations.csv"))
	if err != nil {
		t.Fatal(err)
	}
	g := synth.New(1)
	g.Outcomes = true
	recs := make([]*datamodel.Consignment, 48)
	for i := range recs {
		recs[i] = &datamodel.Consignment{}
		g.Next(recs[i])
	}
	if got := writeCSV(t, recs...); !bytes.Equal(got, want) {
		t.Error("scenarios/examples/declarations.csv differs from the generator's output; run go generate ./datamodel")
	}
}
