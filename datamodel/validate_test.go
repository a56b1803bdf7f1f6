package datamodel_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gocarina/gocsv"

	"pilotsim/datamodel"
)

// checkErr asserts that err is nil when wantOK, and otherwise a
// *datamodel.ValueError whose Problem contains want.
func checkErr(t *testing.T, in string, err error, wantOK bool, want string) {
	t.Helper()
	if wantOK {
		if err != nil {
			t.Errorf("%q: unexpected error %v", in, err)
		}
		return
	}
	var ve *datamodel.ValueError
	if !errors.As(err, &ve) {
		t.Errorf("%q: got %v, want a *ValueError", in, err)
		return
	}
	if !strings.Contains(ve.Problem, want) {
		t.Errorf("%q: problem %q does not mention %q", in, ve.Problem, want)
	}
	if ve.Value != in {
		t.Errorf("%q: ValueError %+v does not carry the value", in, ve)
	}
}

// The scenarios package quotes these messages in its own errors and golden
// files: they must not change.
func TestCodeMessagesStable(t *testing.T) {
	_, e1 := datamodel.ParseCountry("XX")
	_, e2 := datamodel.ParseHSChapter("8")
	_, e3 := datamodel.ParseHSChapter("77")
	_, e4 := datamodel.ParseMode("boat")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{e1, `"XX" is not an ISO 3166-1 alpha-2 country code`},
		{e2, `"8" is not a two-digit HS chapter`},
		{e3, `"77" is not an HS chapter in use (01-97 except 77)`},
		{e4, `"boat" is not a transport mode (want sea, air, road, rail or postal)`},
	} {
		if tc.err == nil || tc.err.Error() != tc.want {
			t.Errorf("got %v, want %s", tc.err, tc.want)
		}
	}
}

func TestContainerCheckDigit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		why  string
	}{
		{"CSQU305438", 3, "ISO 6346 example (Wikipedia, BIC): CSQU3054383"},
		{"MEDU870768", 8, "published validator example MEDU8707688"},
		{"MSCU663987", 0, "published example MSCU6639870"},
		// Hand-computed: A=10 and values skip 11, 22, 33, so B=12, L=23, V=34.
		// AAAU000000: 10+20+40+8*32 = 326 = 29*11+7.
		{"AAAU000000", 7, "letters only, A=10 and U=32"},
		// BLVU000000: 12+2*23+4*34+8*32 = 450 = 40*11+10: remainder 10 gives 0.
		{"BLVU000000", 0, "remainder 10 wraps to 0; B, L, V skip multiples of 11"},
		// ZZZJ000001: 38+76+152+8*20 + 512*1 = 938 = 85*11+3.
		{"ZZZJ000001", 3, "category J, last serial digit weight 512"},
	} {
		got, err := datamodel.ContainerCheckDigit(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%s (%s): got %d, %v; want %d", tc.in, tc.why, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"CSQU30543", "characters, not 10"},
		{"CSQU3054383", "characters, not 10"},
		{"CSQX305438", "category X"},
		{"csqu305438", "4 capital letters"},
		{"CS1U305438", "4 capital letters"},
		{"CSQU30543A", "6-digit serial"},
	} {
		_, err := datamodel.ContainerCheckDigit(tc.in)
		checkErr(t, tc.in, err, false, tc.want)
	}
}

func TestCheckContainerNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want string
	}{
		{"CSQU3054383", true, ""},
		{"MEDU8707688", true, ""},
		{"MSKU1100810", false, "gives 7"}, // printed as an example in a tool's help text, but wrong (hand-checked: 3032 mod 11 = 7)
		{"BLVU0000000", true, ""},         // remainder 10 written as 0
		{"CSQU3054384", false, "gives 3"}, // one digit off: the check digit catches it
		{"CSQU3054833", false, "gives"},   // two serial digits swapped
		{"CSQU305438", false, "not 11"},   // check digit left out
		{"CSQU 3054383", false, "not 11"}, // spaced as painted on the box
		{"CSQU305438X", false, "check digit"},
		{"csqu3054383", false, "capital"},
		{"CSQA3054383", false, "category A"}, // ISO 6346 uses U, J, Z only
		{"", false, "not 11"},
	} {
		checkErr(t, tc.in, datamodel.CheckContainerNumber(tc.in), tc.ok, tc.want)
	}
}

func TestCheckLocode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want string
	}{
		{"NLRTM", true, ""},
		{"CNSHA", true, ""},
		{"USNY2", true, ""}, // location parts may use digits 2-9
		{"NLRT1", false, "digits 2-9"},
		{"NLRT0", false, "digits 2-9"},
		{"NLrtm", false, "capital"},
		{"XXRTM", false, "country code"}, // XX is not assigned
		{"nlRTM", false, "country code"},
		{"NL RTM", false, "not 5"}, // the code lists print a space; files must not
		{"NLRT", false, "not 5"},
		{"", false, "not 5"},
	} {
		checkErr(t, tc.in, datamodel.CheckLocode(tc.in), tc.ok, tc.want)
	}
}

func TestCheckUCR(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want string
	}{
		{"5CN913500001234-000017", true, ""},
		{"9GB123456789000-ABC123", true, ""},
		{"A", true, ""},
		{strings.Repeat("X", 35), true, ""}, // an..35: 35 is allowed
		{strings.Repeat("X", 36), false, "more than 35"},
		{"REF 12", true, ""}, // an allows an inner space
		{" REF12", false, "space"},
		{"REF12 ", false, "space"},
		{"RÉF12", false, "printable ASCII"},
		{"REF\t12", false, "printable ASCII"},
		{"", true, ""}, // CheckUCR checks shape; a required empty UCR is the Reader's "missing"
	} {
		checkErr(t, tc.in, datamodel.CheckUCR(tc.in), tc.ok, tc.want)
	}
}

func TestCheckSealNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want string
	}{
		{"ML-1234567", true, ""},
		{"SL/2025.001", true, ""},
		{"", false, "empty"},
		{"AB 123", false, "character"},
		{"AB;123", false, "character"}, // ';' separates seal numbers
		{strings.Repeat("9", 36), false, "more than 35"},
	} {
		checkErr(t, tc.in, datamodel.CheckSealNumber(tc.in), tc.ok, tc.want)
	}
}

func TestCheckCurrency(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"EUR", true}, {"USD", true}, {"CNY", true}, {"JPY", true}, {"XOF", true},
		{"eur", false}, {"EURO", false}, {"EU", false}, {"ABC", false}, {"", false},
		{"E1R", false},
	} {
		checkErr(t, tc.in, datamodel.CheckCurrency(tc.in), tc.ok, "ISO 4217")
	}
}

func TestParseHSCode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want datamodel.HSCode
		ch   int
		prob string
	}{
		{"080390", 80390, 8, ""},
		{"010121", 10121, 1, ""},
		{"970600", 970600, 97, ""},
		{"760120", 760120, 76, ""},
		{"781100", 781100, 78, ""},
		{"770000", 0, 0, "chapter 77"}, // reserved
		{"980000", 0, 0, "chapter 98"}, // beyond 97 (national use only)
		{"000000", 0, 0, "chapter 00"},
		{"80390", 0, 0, "5 digits (a spreadsheet"},
		{"08039000", 0, 0, "more than 6"},
		{"0803.90", 0, 0, "not a number"},
		{"08039A", 0, 0, "not a number"},
		{"", 0, 0, "0 digits"},
	} {
		got, err := datamodel.ParseHSCode(tc.in)
		checkErr(t, tc.in, err, tc.prob == "", tc.prob)
		if got != tc.want || got.Chapter() != tc.ch {
			t.Errorf("%q: got %v (chapter %d), want %v (chapter %d)", tc.in, got, got.Chapter(), tc.want, tc.ch)
		}
		if tc.prob == "" && (got.String() != tc.in || !got.Valid()) {
			t.Errorf("%q: String gives %q, Valid %v", tc.in, got.String(), got.Valid())
		}
	}
}

func TestHSChapters(t *testing.T) {
	chs := datamodel.HSChapters()
	if len(chs) != 96 || chs[0] != 1 || chs[95] != 97 {
		t.Fatalf("HSChapters: %d chapters from %d to %d, want 96 from 1 to 97", len(chs), chs[0], chs[len(chs)-1])
	}
	for _, ch := range chs {
		if ch == 77 {
			t.Error("chapter 77 is reserved, yet listed")
		}
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{{"01", true}, {"97", true}, {"77", false}, {"00", false}, {"98", false}, {"8", false}, {"a1", false}} {
		_, err := datamodel.ParseHSChapter(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseHSChapter(%q): %v", tc.in, err)
		}
	}
}

func TestParseCountry(t *testing.T) {
	if datamodel.NumCountries != 249 {
		t.Errorf("NumCountries = %d; ISO 3166-1 assigns 249 alpha-2 codes", datamodel.NumCountries)
	}
	for _, tc := range []struct {
		in, name string
		ok       bool
	}{
		{"AD", "Andorra", true},  // first in the list
		{"ZW", "Zimbabwe", true}, // last
		{"CN", "China", true},
		{"NL", "Netherlands", true},
		{"XK", "", false}, // Kosovo: user-assigned, not ISO 3166-1
		{"UK", "", false}, // the ISO code is GB
		{"cn", "", false},
		{"CHN", "", false},
		{"", "", false},
	} {
		c, err := datamodel.ParseCountry(tc.in)
		checkErr(t, tc.in, err, tc.ok, "ISO 3166-1")
		if tc.ok && (c.String() != tc.in || !strings.HasPrefix(c.Name(), tc.name) || !c.Valid()) {
			t.Errorf("%q: got %q %q", tc.in, c.String(), c.Name())
		}
		if !tc.ok && c != datamodel.NoCountry {
			t.Errorf("%q: got %v, want NoCountry", tc.in, c)
		}
	}
	// Every Country reads back from its code.
	for _, c := range datamodel.Countries() {
		if d, err := datamodel.ParseCountry(c.String()); err != nil || d != c {
			t.Errorf("country %d %q reads back as %d, %v", c, c.String(), d, err)
		}
	}
	if datamodel.NoCountry.String() != "" || datamodel.NoCountry.Valid() {
		t.Error("NoCountry must have no code and not be valid")
	}
}

func TestParseMode(t *testing.T) {
	for i, n := range []string{"sea", "air", "road", "rail", "postal"} {
		m, err := datamodel.ParseMode(n)
		if err != nil || int(m) != i || m.String() != n {
			t.Errorf("%q: got %v, %v", n, m, err)
		}
	}
	for _, bad := range []string{"", "Sea", "ship", "express"} {
		_, err := datamodel.ParseMode(bad)
		checkErr(t, bad, err, false, "transport mode")
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		prob string
	}{
		{"2025-03-14T09:30:00Z", time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC), ""},
		{"2025-03-14T10:30:00+01:00", time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC), ""},
		{"2025-03-14T09:30:00.25Z", time.Date(2025, 3, 14, 9, 30, 0, 250e6, time.UTC), ""},
		{"1900-01-01T00:00:00Z", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{"1899-12-31T23:59:59Z", time.Time{}, "before 1900"},
		{"2025-03-14 09:30:00", time.Time{}, "RFC 3339"},
		{"2025-03-14T09:30:00", time.Time{}, "RFC 3339"}, // no offset
		{"2025-03-14", time.Time{}, "RFC 3339"},
		{"14/03/2025 09:30", time.Time{}, "RFC 3339"},
		{"2025-02-30T00:00:00Z", time.Time{}, "RFC 3339"},
	} {
		got, err := datamodel.ParseTime(tc.in)
		checkErr(t, tc.in, err, tc.prob == "", tc.prob)
		if !got.Equal(tc.want) {
			t.Errorf("%q: got %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseControls(t *testing.T) {
	for _, tc := range []struct {
		in, canon string
		want      datamodel.Controls
		prob      string
	}{
		{"", "", 0, ""},
		{"none", "none", datamodel.ControlNone, ""},
		{"document", "document", datamodel.ControlDocument, ""},
		{"physical;nii", "nii;physical", datamodel.ControlNII | datamodel.ControlPhysical, ""}, // written in fixed order
		{"audit", "audit", datamodel.ControlAudit, ""},
		{"nii;nii", "", 0, "twice"},
		{"none;nii", "", 0, "none"},
		{"xray", "", 0, "not a list"},
		{"nii;", "", 0, "not a list"},
	} {
		got, err := datamodel.ParseControls(tc.in)
		checkErr(t, tc.in, err, tc.prob == "", tc.prob)
		if got != tc.want || (tc.prob == "" && got.String() != tc.canon) {
			t.Errorf("%q: got %v (%q), want %v (%q)", tc.in, got, got.String(), tc.want, tc.canon)
		}
	}
	if datamodel.ControlNone.Performed() || !datamodel.ControlNone.Recorded() || datamodel.Controls(0).Recorded() {
		t.Error("none is recorded but not performed; the zero value is not recorded")
	}
}

func TestParseResult(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want datamodel.Result
		ok   bool
	}{
		{"", datamodel.ResultUnknown, true},
		{"no", datamodel.ResultClean, true},
		{"false", datamodel.ResultClean, true},
		{"yes", datamodel.ResultIrregular, true},
		{"true", datamodel.ResultIrregular, true},
		{"Y", 0, false},
		{"1", 0, false},
	} {
		got, err := datamodel.ParseResult(tc.in)
		checkErr(t, tc.in, err, tc.ok, "yes or no")
		if got != tc.want {
			t.Errorf("%q: got %v, want %v", tc.in, got, tc.want)
		}
	}
}

// The code types are text marshalers, so a gocsv record of a Member's own
// design can use them; gocsv then checks the codes while reading.
func TestCodesAsGocsvFields(t *testing.T) {
	type row struct {
		Origin   datamodel.Country  `csv:"origin"`
		HS       datamodel.HSCode   `csv:"hs"`
		Mode     datamodel.Mode     `csv:"mode"`
		Controls datamodel.Controls `csv:"control"`
		Result   datamodel.Result   `csv:"irregular"`
	}
	in := "origin,hs,mode,control,irregular\nCN,080390,sea,nii;physical,yes\nNL,010121,air,,\n"
	var rows []row
	if err := gocsv.UnmarshalString(in, &rows); err != nil {
		t.Fatal(err)
	}
	cn, _ := datamodel.ParseCountry("CN")
	if len(rows) != 2 || rows[0].Origin != cn || rows[0].HS != 80390 || rows[0].Mode != datamodel.ModeSea ||
		rows[0].Controls != datamodel.ControlNII|datamodel.ControlPhysical || rows[0].Result != datamodel.ResultIrregular {
		t.Fatalf("gocsv read %+v", rows)
	}
	out, err := gocsv.MarshalString(rows)
	if err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Errorf("gocsv wrote\n%s\nwant\n%s", out, in)
	}
	var bad []row
	err = gocsv.UnmarshalString("origin,hs,mode,control,irregular\nXX,080390,sea,,\n", &bad)
	if err == nil || !strings.Contains(err.Error(), "ISO 3166-1") {
		t.Errorf("gocsv with a bad country: %v, want the ValueError", err)
	}
}
