package datamodel

import (
	"pilotsim/internal/safefile"

	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ValueError says why a single value is not well-formed and what was expected.
// Every Parse and Check function of this package returns one.
type ValueError struct {
	Value    string // the value as given
	Problem  string // what is wrong, e.g. "has check digit 4 (ISO 6346 gives 3)"
	Expected string // what a good value looks like, e.g. "an ISO 4217 currency code, e.g. EUR"; "" when Problem says it
}

func (e *ValueError) Error() string {
	// A huge value is cut, with its length, never echoed whole.
	v := strconv.Quote(safefile.Clip(e.Value, 80))
	if e.Expected == "" {
		return v + " " + e.Problem
	}
	if e.Value == "" {
		return "missing value (want " + e.Expected + ")"
	}
	return v + " " + e.Problem + " (want " + e.Expected + ")"
}

// Bounds on free text and identifiers.
const (
	// MaxUCRLen is the length of a UCR: an..35.
	MaxUCRLen = 35
	// MaxIDLen bounds identifiers and references (party ids, means of
	// transport, conveyance reference, seal numbers): an..35 like the UCR.
	MaxIDLen = 35
	// MaxTextLen bounds free text (names, goods description, threat) in bytes.
	MaxTextLen = 512
)

// Bounds on the time between lodgement of the declaration and arrival of the
// goods. They are wide on purpose (a deep-sea voyage of several weeks after a
// pre-loading filing; a declaration lodged while goods sit in temporary
// storage); a record outside them almost surely has a wrong date.
const (
	MaxLodgementLead  = 200 * 24 * time.Hour // lodgement at most this long before arrival
	MaxLodgementDelay = 90 * 24 * time.Hour  // lodgement at most this long after arrival
)

// ContainerCheckDigit returns the ISO 6346 check digit of the first ten
// characters of a container number: the owner code (three capital letters),
// the equipment category (U, J or Z) and the six-digit serial number, for
// example "CSQU305438" gives 3. The standard advises against serial numbers
// whose remainder is 10; for them the check digit is 0, as in its table. The
// error is a *ValueError.
func ContainerCheckDigit(ownerSerial string) (int, error) {
	d, p := containerDigit(ownerSerial)
	if p != "" {
		return 0, &ValueError{Value: ownerSerial, Problem: p, Expected: "owner code (3 capital letters), category U, J or Z and 6 digits, e.g. CSQU305438"}
	}
	return d, nil
}

// letterValue holds the ISO 6346 equivalent values of A to Z: they count up
// from 10 and skip multiples of 11.
var letterValue = func() (t [26]int) {
	v := 10
	for i := range t {
		if v%11 == 0 {
			v++
		}
		t[i] = v
		v++
	}
	return t
}()

func containerDigit(s string) (int, string) {
	if len(s) != 10 {
		return 0, "has " + strconv.Itoa(len(s)) + " characters, not 10"
	}
	sum := 0
	for i := 0; i < 10; i++ {
		ch := s[i]
		var v int
		switch {
		case i < 4:
			if ch < 'A' || ch > 'Z' {
				return 0, "does not start with an owner code and category of 4 capital letters"
			}
			if i == 3 && ch != 'U' && ch != 'J' && ch != 'Z' {
				return 0, "has equipment category " + string(ch) + ", not U, J or Z"
			}
			v = letterValue[ch-'A']
		default:
			if ch < '0' || ch > '9' {
				return 0, "does not have a 6-digit serial number after the 4 letters"
			}
			v = int(ch - '0')
		}
		sum += v << i
	}
	return sum % 11 % 10, ""
}

const expContainer = "an ISO 6346 container number: owner code (3 letters), category U, J or Z, 6 digits, check digit, e.g. CSQU3054383"

// CheckContainerNumber reports whether s is an ISO 6346 container number with
// a correct check digit, such as "CSQU3054383". The error is a *ValueError.
func CheckContainerNumber(s string) error {
	if p := checkContainer(s); p != "" {
		return &ValueError{Value: s, Problem: p, Expected: expContainer}
	}
	return nil
}

func checkContainer(s string) string {
	if len(s) != 11 {
		return "has " + strconv.Itoa(len(s)) + " characters, not 11"
	}
	d, p := containerDigit(s[:10])
	if p != "" {
		return p
	}
	if c := s[10]; c < '0' || c > '9' {
		return "does not end in a check digit"
	} else if int(c-'0') != d {
		return "has check digit " + string(c) + " (ISO 6346 gives " + strconv.Itoa(d) + ")"
	}
	return ""
}

const expLocode = "a UN/LOCODE: country code and 3 letters or digits 2-9, e.g. NLRTM"

// CheckLocode reports whether s has the shape of a UN/LOCODE: an ISO 3166-1
// alpha-2 country code followed by three capital letters or digits 2-9, for
// example "NLRTM" (Rotterdam). It does not look the place up. The error is a
// *ValueError.
func CheckLocode(s string) error {
	if p := checkLocode(s); p != "" {
		return &ValueError{Value: s, Problem: p, Expected: expLocode}
	}
	return nil
}

func checkLocode(s string) string {
	if len(s) != 5 {
		return "has " + strconv.Itoa(len(s)) + " characters, not 5"
	}
	if lookupCountry(s[:2]) == NoCountry {
		return "does not start with an ISO 3166-1 country code"
	}
	for i := 2; i < 5; i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '9') {
			return "has a location part other than 3 capital letters or digits 2-9"
		}
	}
	return ""
}

const expUCR = "a unique consignment reference of 1 to 35 printable ASCII characters, an..35, e.g. 5CN913500001234-000017"

// CheckUCR reports whether s is a well-formed Unique Consignment Reference
// (WCO Data Model 016, an..35): 1 to 35 printable ASCII characters, without
// spaces at either end. The error is a *ValueError.
func CheckUCR(s string) error {
	if p := checkUCR(s); p != "" {
		return &ValueError{Value: s, Problem: p, Expected: expUCR}
	}
	return nil
}

func checkUCR(s string) string {
	if len(s) > MaxUCRLen {
		return "has " + strconv.Itoa(len(s)) + " characters, more than 35"
	}
	return checkASCII(s)
}

// checkASCII accepts printable ASCII without spaces at either end.
func checkASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return "has a character other than printable ASCII"
		}
	}
	if s != "" && (s[0] == ' ' || s[len(s)-1] == ' ') {
		return "has a space at either end"
	}
	return ""
}

const expID = "an identifier of 1 to 35 printable ASCII characters"

func checkID(s string) string {
	if len(s) > MaxIDLen {
		return "has " + strconv.Itoa(len(s)) + " characters, more than 35"
	}
	return checkASCII(s)
}

const expSeal = "seal numbers of 1 to 35 letters, digits, '-', '/' or '.', separated by ';'"

// CheckSealNumber reports whether s is a plausible seal number: 1 to 35
// letters, digits, '-', '/' or '.'. (ISO 17712 does not fix a format.) The
// error is a *ValueError.
func CheckSealNumber(s string) error {
	if p := checkSeal(s); p != "" {
		return &ValueError{Value: s, Problem: p, Expected: expSeal}
	}
	return nil
}

func checkSeal(s string) string {
	if len(s) == 0 {
		return "is empty"
	}
	if len(s) > MaxIDLen {
		return "has " + strconv.Itoa(len(s)) + " characters, more than 35"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '/' || c == '.') {
			return "has a character other than a letter, digit, '-', '/' or '.'"
		}
	}
	return ""
}

const expText = "text of at most 512 bytes of UTF-8 without control characters"

// checkText accepts UTF-8 text without control characters, at most MaxTextLen
// bytes, without spaces at either end.
func checkText(s string) string {
	if len(s) > MaxTextLen {
		return "has " + strconv.Itoa(len(s)) + " bytes, more than 512"
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			return "has a control character (such as a line break)"
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	if !ascii {
		if !utf8.ValidString(s) {
			return "is not valid UTF-8"
		}
		for _, r := range s {
			if r >= 0x80 && r < 0xa0 {
				return "has a control character"
			}
		}
	}
	if s != "" && (s[0] == ' ' || s[len(s)-1] == ' ') {
		return "has a space at either end"
	}
	return ""
}

const expTime = "an RFC 3339 time from 1900 on, e.g. 2025-03-14T09:30:00Z"

// ParseTime reads an RFC 3339 time such as "2025-03-14T09:30:00Z" or
// "2025-03-14T10:30:00.5+01:00", from the year 1900 on. The error is a
// *ValueError.
func ParseTime(s string) (time.Time, error) {
	t, p := parseTime(s)
	if p != "" {
		return time.Time{}, &ValueError{Value: s, Problem: p, Expected: expTime}
	}
	return t, nil
}

func parseTime(s string) (time.Time, string) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, "is not an RFC 3339 time"
	}
	if t.Year() < 1900 {
		return time.Time{}, "is before 1900"
	}
	return t, ""
}

// appendTime writes t in RFC 3339 with as many fractional digits as needed;
// the zero time writes nothing.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	return t.AppendFormat(b, time.RFC3339Nano)
}

// appendList writes xs separated by ';'.
func appendList(b []byte, xs []string) []byte {
	for i, x := range xs {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, x...)
	}
	return b
}

// parseAmount reads a decimal number >= 0: digits, one point, an optional
// exponent. It refuses NaN, infinities and hexadecimal forms that
// strconv.ParseFloat would take.
func parseAmount(s string) (float64, string) {
	if s == "" {
		return 0, "is empty"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, "is not a decimal number"
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, "is out of range"
		}
		return 0, "is not a decimal number"
	}
	if v < 0 {
		return 0, "is negative"
	}
	return v, ""
}

// appendAmount writes v in the shortest decimal form that reads back equal,
// without an exponent.
func appendAmount(b []byte, v float64) []byte {
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// parseCount reads a whole number >= 0 that fits an int32.
func parseCount(s string) (int, string) {
	if s == "" {
		return 0, "is empty"
	}
	if len(s) > 10 {
		return 0, "is too large"
	}
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			if c == '-' {
				return 0, "is negative"
			}
			return 0, "is not a whole number"
		}
		v = v*10 + int(c-'0')
	}
	if v > 1<<31-1 {
		return 0, "is too large"
	}
	return v, ""
}

func parseYesNo(s string) (bool, bool) {
	switch s {
	case "yes", "true":
		return true, true
	case "no", "false":
		return false, true
	}
	return false, false
}

// FieldError is one problem with one value of a consignment record.
type FieldError struct {
	Line     int    // line in the file where the value starts (1 is the header); 0 if not from a file
	Col      int    // byte column in that line where the value starts, from 1; 0 if unknown
	Column   string // the column's name, e.g. "hs_code"; "" for a problem with the whole row
	Item     int    // in a ';'-separated list, the item at fault (from 1); 0 for the whole value
	Value    string // the value (the item, for a list)
	Problem  string // what is wrong
	Expected string // what a good value looks like
}

func (e *FieldError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		if e.Col > 0 {
			b.WriteString(", col ")
			b.WriteString(strconv.Itoa(e.Col))
		}
		b.WriteString(": ")
	}
	e.writeMessage(&b)
	return b.String()
}

// writeMessage writes the part after the position: column, value, problem,
// expectation.
func (e *FieldError) writeMessage(b *strings.Builder) {
	if e.Column != "" {
		b.WriteString(e.Column)
		b.WriteString(": ")
	}
	if e.Item > 0 {
		b.WriteString("item ")
		b.WriteString(strconv.Itoa(e.Item))
		b.WriteString(" ")
	}
	switch {
	case e.Column == "": // a problem with the whole row
		b.WriteString(e.Problem)
	case e.Value == "" && e.Item == 0:
		b.WriteString("missing")
	default:
		b.WriteString(strconv.Quote(safefile.Clip(e.Value, 80)))
		b.WriteString(" ")
		b.WriteString(e.Problem)
	}
	b.WriteString(" (want ")
	b.WriteString(e.Expected)
	b.WriteString(")")
}

// Message is the error without its position: "column: value problem (want …)".
func (e *FieldError) Message() string {
	var b strings.Builder
	e.writeMessage(&b)
	return b.String()
}

// RowError lists every problem found in one consignment record. A Reader
// returns one for each bad row and can go on reading.
type RowError struct {
	Row    int // data row in the file, from 1 (the first row after the header); 0 if not from a file
	Line   int // line where the row starts (1 is the header); 0 if not from a file
	Fields []FieldError
}

func (e *RowError) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	for i := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		e.Fields[i].writeMessage(&b)
	}
	return b.String()
}
