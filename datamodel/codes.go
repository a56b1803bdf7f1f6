package datamodel

import (
	"strconv"
	"strings"
)

// Country is an ISO 3166-1 alpha-2 country as a small integer: its index in the
// sorted code list. The engine carries countries in this form; NoCountry marks
// an absent one (for example no routing hub).
//
// Country implements encoding.TextMarshaler and encoding.TextUnmarshaler, so it
// can be a field of a gocsv, JSON or YAML record and is read and written as its
// alpha-2 code.
type Country uint8

// NoCountry is the Country value meaning "none".
const NoCountry Country = 255

// NumCountries is the number of ISO 3166-1 alpha-2 codes known.
const NumCountries = len(countryCodes)

// countryIndex maps a two-letter code (first letter * 26 + second) to its
// Country, NoCountry where unassigned: a look-up without string comparison.
var countryIndex = func() (t [26 * 26]Country) {
	for i := range t {
		t[i] = NoCountry
	}
	for i, c := range countryCodes {
		t[int(c[0]-'A')*26+int(c[1]-'A')] = Country(i)
	}
	return t
}()

const expCountry = "an ISO 3166-1 alpha-2 country code, e.g. CN"

// lookupCountry returns the Country for a code, NoCountry if it is not one.
func lookupCountry(code string) Country {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return NoCountry
	}
	return countryIndex[int(code[0]-'A')*26+int(code[1]-'A')]
}

// ParseCountry returns the Country for an ISO 3166-1 alpha-2 code such as "CN".
// The code must be two upper-case letters of an assigned country. The error is
// a *ValueError.
func ParseCountry(code string) (Country, error) {
	if c := lookupCountry(code); c != NoCountry {
		return c, nil
	}
	// No Expected: scenario error messages (and their golden files) quote
	// this message as it is.
	return NoCountry, &ValueError{Value: code, Problem: "is not an ISO 3166-1 alpha-2 country code"}
}

// String returns the alpha-2 code, or "" for NoCountry.
func (c Country) String() string {
	if int(c) >= len(countryCodes) {
		return ""
	}
	return countryCodes[c]
}

// Name returns the ISO 3166-1 short name of the country.
func (c Country) Name() string {
	if int(c) >= len(countryNames) {
		return ""
	}
	return countryNames[c]
}

// Valid reports whether c is an assigned country (not NoCountry).
func (c Country) Valid() bool { return int(c) < len(countryCodes) }

// MarshalText writes the alpha-2 code ("" for NoCountry).
func (c Country) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads an alpha-2 code; an empty text gives NoCountry.
func (c *Country) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*c = NoCountry
		return nil
	}
	v, err := ParseCountry(string(b))
	*c = v
	return err
}

// Countries returns every Country in code order.
func Countries() []Country {
	out := make([]Country, len(countryCodes))
	for i := range out {
		out[i] = Country(i)
	}
	return out
}

// HSChapterValid reports whether ch is a chapter of the Harmonized System in use:
// 1 to 97, except 77 (reserved for future use).
func HSChapterValid(ch int) bool {
	return ch >= 1 && ch <= 97 && ch != 77
}

// HSChapters returns the 96 chapters in use, in order.
func HSChapters() []int {
	out := make([]int, 0, 96)
	for ch := 1; ch <= 97; ch++ {
		if HSChapterValid(ch) {
			out = append(out, ch)
		}
	}
	return out
}

// ParseHSChapter reads a two-digit chapter such as "08" or "93". The error is a
// *ValueError.
func ParseHSChapter(s string) (int, error) {
	// The messages carry no Expected part: scenario error messages quote
	// them as they are.
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, &ValueError{Value: s, Problem: "is not a two-digit HS chapter"}
	}
	ch := int(s[0]-'0')*10 + int(s[1]-'0')
	if !HSChapterValid(ch) {
		return 0, &ValueError{Value: s, Problem: "is not an HS chapter in use (01-97 except 77)"}
	}
	return ch, nil
}

// HSCode is a 6-digit Harmonized System subheading as an integer, for example
// 80390 for "080390" (bananas, fresh or dried). The zero value means "none"
// (chapter 00 does not exist). Its text form is always 6 digits.
type HSCode uint32

const expHS = "6 digits starting with an HS chapter in use, 01-97 except 77, e.g. 080390"

// ParseHSCode reads a 6-digit HS code such as "080390"; its first two digits
// must be a chapter in use. The error is a *ValueError.
func ParseHSCode(s string) (HSCode, error) {
	h, p := parseHS(s)
	if p != "" {
		return 0, &ValueError{Value: s, Problem: p, Expected: expHS}
	}
	return h, nil
}

// parseHS is ParseHSCode without allocation: it returns the problem, "" if none.
func parseHS(s string) (HSCode, string) {
	var v uint32
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, "is not a number of 6 digits"
		}
		v = v*10 + uint32(s[i]-'0')
		if i > 6 {
			break
		}
	}
	switch {
	case len(s) < 6:
		return 0, "has " + strconv.Itoa(len(s)) + " digits (a spreadsheet may have dropped a leading zero)"
	case len(s) > 6:
		return 0, "has more than 6 digits (national tariff digits are not part of the HS code)"
	}
	if !HSChapterValid(int(v / 10000)) {
		return 0, "is in chapter " + s[:2] + ", which is not in use"
	}
	return HSCode(v), ""
}

// Chapter returns the HS chapter: the first two digits.
func (h HSCode) Chapter() int { return int(h / 10000) }

// Heading returns the 4-digit HS heading, e.g. 803 for 080390.
func (h HSCode) Heading() int { return int(h / 100) }

// Valid reports whether h has 6 digits and its chapter is in use.
func (h HSCode) Valid() bool { return h <= 999999 && HSChapterValid(h.Chapter()) }

// String returns the 6 digits with leading zeros, "" for a value above 999999.
func (h HSCode) String() string {
	if h > 999999 {
		return ""
	}
	return string(h.appendTo(make([]byte, 0, 6)))
}

func (h HSCode) appendTo(b []byte) []byte {
	var d [6]byte
	v := uint32(h)
	for i := 5; i >= 0; i-- {
		d[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, d[:]...)
}

// MarshalText writes the 6 digits; the zero HSCode writes "".
func (h HSCode) MarshalText() ([]byte, error) {
	if h == 0 {
		return nil, nil
	}
	if h > 999999 {
		return nil, &ValueError{Value: strconv.FormatUint(uint64(h), 10), Problem: "has more than 6 digits", Expected: expHS}
	}
	return h.appendTo(nil), nil
}

// UnmarshalText reads 6 digits; an empty text gives the zero HSCode.
func (h *HSCode) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*h = 0
		return nil
	}
	v, err := ParseHSCode(string(b))
	*h = v
	return err
}

// Mode is a transport mode at the border (WCO mode of transport, simplified).
type Mode uint8

// Transport modes.
const (
	ModeSea Mode = iota
	ModeAir
	ModeRoad
	ModeRail
	ModePostal // postal and express consignments
	NumModes
)

var modeNames = [NumModes]string{"sea", "air", "road", "rail", "postal"}

const expMode = "sea, air, road, rail or postal"

// String returns the mode's name as written in scenarios and CSV files.
func (m Mode) String() string {
	if m >= NumModes {
		return ""
	}
	return modeNames[m]
}

// ParseMode reads a transport mode name: sea, air, road, rail or postal. The
// error is a *ValueError.
func ParseMode(s string) (Mode, error) {
	if m, ok := lookupMode(s); ok {
		return m, nil
	}
	return 0, &ValueError{Value: s, Problem: "is not a transport mode", Expected: expMode}
}

func lookupMode(s string) (Mode, bool) {
	for i, n := range modeNames {
		if n == s {
			return Mode(i), true
		}
	}
	return 0, false
}

// MarshalText writes the mode's name.
func (m Mode) MarshalText() ([]byte, error) {
	if m >= NumModes {
		return nil, &ValueError{Value: strconv.Itoa(int(m)), Problem: "is not a transport mode", Expected: expMode}
	}
	return []byte(m.String()), nil
}

// UnmarshalText reads a mode's name.
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	*m = v
	return err
}

// currencySet is a bit set over the 26^3 three-letter codes: bit i is set when
// the code with index i is an ISO 4217 currency.
var currencySet = func() (s [26 * 26 * 26 / 64]uint64) {
	for _, c := range currencyCodes {
		i := currencyIdx(c)
		s[i>>6] |= 1 << (i & 63)
	}
	return s
}()

func currencyIdx(c string) int {
	return (int(c[0]-'A')*26+int(c[1]-'A'))*26 + int(c[2]-'A')
}

const expCurrency = "an ISO 4217 currency code, e.g. EUR"

func isCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	i := currencyIdx(c)
	return currencySet[i>>6]&(1<<(i&63)) != 0
}

// CheckCurrency reports whether code is an ISO 4217 alphabetic currency code
// such as "EUR" (upper case). The error is a *ValueError.
func CheckCurrency(code string) error {
	if isCurrency(code) {
		return nil
	}
	return &ValueError{Value: code, Problem: "is not an ISO 4217 currency code", Expected: expCurrency}
}

// Controls is the set of controls performed on a consignment, as recorded in
// data with known results. The zero value means "not recorded"; ControlNone
// records that no control was performed.
type Controls uint8

// Controls, in the order they are written.
const (
	ControlDocument Controls = 1 << iota // documentary check (yellow lane)
	ControlNII                           // non-intrusive inspection: X-ray or gamma scan
	ControlPhysical                      // physical examination
	ControlAudit                         // post-clearance audit (blue lane)
	ControlNone                          // recorded: no control was performed
)

var controlNames = [...]string{"document", "nii", "physical", "audit", "none"}

const expControl = "none, or document, nii, physical, audit separated by ';' (empty if not recorded)"

// Recorded reports whether the controls were recorded at all.
func (c Controls) Recorded() bool { return c != 0 }

// Performed reports whether at least one control was performed.
func (c Controls) Performed() bool { return c&^ControlNone != 0 }

// String returns the text form: "" if not recorded, "none", or the controls
// performed separated by ';' in the order document, nii, physical, audit.
func (c Controls) String() string { return string(c.appendTo(nil)) }

func (c Controls) appendTo(b []byte) []byte {
	first := true
	for i, n := range controlNames {
		if c&(1<<i) != 0 {
			if !first {
				b = append(b, ';')
			}
			b = append(b, n...)
			first = false
		}
	}
	return b
}

// ParseControls reads "", "none", or a ';'-separated list of document, nii,
// physical and audit, each at most once. The error is a *ValueError.
func ParseControls(s string) (Controls, error) {
	c, p := parseControls(s)
	if p != "" {
		return 0, &ValueError{Value: s, Problem: p, Expected: expControl}
	}
	return c, nil
}

func parseControls(s string) (Controls, string) {
	if s == "" {
		return 0, ""
	}
	var c Controls
	for item := range strings.SplitSeq(s, ";") {
		found := false
		for i, n := range controlNames {
			if item == n {
				if c&(1<<i) != 0 {
					return 0, "names " + n + " twice"
				}
				c |= 1 << i
				found = true
				break
			}
		}
		if !found {
			return 0, "is not a list of controls"
		}
	}
	if c&ControlNone != 0 && c != ControlNone {
		return 0, "combines none with a control"
	}
	return c, ""
}

// MarshalText writes the text form of String.
func (c Controls) MarshalText() ([]byte, error) { return c.appendTo(nil), nil }

// UnmarshalText reads the text form of ParseControls.
func (c *Controls) UnmarshalText(b []byte) error {
	v, err := ParseControls(string(b))
	*c = v
	return err
}

// Result is the recorded result of the controls: irregularity found or not.
type Result uint8

// Results. The zero value means "not recorded".
const (
	ResultUnknown   Result = iota // not recorded (written "")
	ResultClean                   // controlled, nothing irregular found (written "no")
	ResultIrregular               // an irregularity was found (written "yes")
)

const expResult = "yes, no, or empty if not recorded"

// String returns "", "no" or "yes".
func (r Result) String() string {
	switch r {
	case ResultClean:
		return "no"
	case ResultIrregular:
		return "yes"
	}
	return ""
}

// ParseResult reads "", "no" or "yes" (also "false" and "true"). The error is a
// *ValueError.
func ParseResult(s string) (Result, error) {
	r, ok := parseResult(s)
	if !ok {
		return 0, &ValueError{Value: s, Problem: "is not yes or no", Expected: expResult}
	}
	return r, nil
}

func parseResult(s string) (Result, bool) {
	switch s {
	case "":
		return ResultUnknown, true
	case "no", "false":
		return ResultClean, true
	case "yes", "true":
		return ResultIrregular, true
	}
	return 0, false
}

// MarshalText writes "", "no" or "yes".
func (r Result) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads the text form of ParseResult.
func (r *Result) UnmarshalText(b []byte) error {
	v, err := ParseResult(string(b))
	*r = v
	return err
}
