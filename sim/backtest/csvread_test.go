package backtest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"pilotsim/datamodel"
)

// stdRecords reads s with encoding/csv as the reader did before csvReader:
// each record (or the error's text) with the line where it starts.
func stdRecords(s string) []string {
	cr := csv.NewReader(datamodel.LimitRecords(strings.NewReader(s), testLimit))
	cr.ReuseRecord = true
	var out []string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			line := pe.StartLine
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				line = pe.Line
			}
			out = append(out, fmt.Sprintf("%d: error %v", line, pe.Err))
			continue
		}
		if err != nil {
			return append(out, "error "+err.Error())
		}
		line, _ := cr.FieldPos(0)
		out = append(out, fmt.Sprintf("%d: %q", line, rec))
		if len(out) > 1000 {
			return out
		}
	}
}

func ownRecords(s string, bufSize int) []string {
	r := newCSVReader(strings.NewReader(s), ',', testLimit)
	if bufSize > 0 {
		r = newCSVReader(&smallReader{s: s, n: bufSize}, ',', testLimit)
	}
	var out []string
	for {
		rec, line, err := r.read()
		if err == io.EOF {
			return out
		}
		var ce *csvError
		if errors.As(err, &ce) {
			out = append(out, fmt.Sprintf("%d: error %v", ce.line, ce.err))
			continue
		}
		if err != nil {
			return append(out, "error "+err.Error())
		}
		out = append(out, fmt.Sprintf("%d: %q", line, rec))
		if len(out) > 1000 {
			return out
		}
	}
}

// testLimit is the bound on a record's bytes in these tests: small, so
// that the fuzzer finds records too long.
var testLimit = 40

// smallReader hands over at most n bytes a call.
type smallReader struct {
	s string
	n int
}

func (r *smallReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	k := min(len(p), r.n, len(r.s))
	copy(p, r.s[:k])
	r.s = r.s[k:]
	return k, nil
}

var csvCases = []string{
	"a,b,c\n1,2,3\n",
	"a,b,c\r\n1,2,3\r\n\r\n\n4,5,6",
	"a,b\n1,2,3\n4,5\n",
	"a,b\n\"x,y\",2\n\"multi\nline\",3\n4,5\n",
	"a,b\n\"he said \"\"hi\"\"\",2\n",
	"a,b\nx\"y,2\n3,4\n",
	"a,b\n\"x\"y,2\n3,4\n",
	"a,b\n\"unterminated,2\n3,4\n",
	"a,b\n1,2\r",
	"a,b\n,\n\"\",\"\"\n",
	"a,b\n1,\"2\"",
	"a\n\n\n1\n  2  \n",
	"\"a\",\"b\"\n\"1\r\n2\",3\n",
	"a,b\n1,\"x\ny\"z\n5,6\n",
	"a,b\n" + strings.Repeat("x", 38) + ",\n1,2\n",
	"a,b\n" + strings.Repeat("x", 39) + ",\n1,2\n",
	"a,b\n\"" + strings.Repeat("x\n", 19) + "\",1\n1,2\n",
	"a,b\n\"" + strings.Repeat("x\n", 20) + "\",1\n1,2\n",
	"a,b\n\"x\"\"" + strings.Repeat("y\r\n", 14) + "\",1\n1,2\n",
	// Words of eight bytes with 0 to 8 delimiters (split writes four
	// positions a word, eight when it has more).
	"a,b,c,d,e,f,g,h,i\n,,,,,,,,\n1,2,3,4,5,6,7,8,9\nxxxxxxxx,,,,yyyyyyy,\n",
}

// TestCSVReaderAsEncodingCSV: csvReader reads records, lines and errors as
// encoding/csv does, whatever the size of the reads.
func TestCSVReaderAsEncodingCSV(t *testing.T) {
	// Lines longer than the bufio buffer, a record of 150,000 bytes within
	// a bound of 150,001 bytes, then one over it.
	long := "a,b\n" + strings.Repeat("x", 70000) + ",\"" + strings.Repeat("y\n", 40000) + "\"\n1,2\n" +
		strings.Repeat("z", 149998) + ",\n" + strings.Repeat("z", 149999) + ",\n1,2\n"
	for _, c := range []struct {
		limit int
		cases []string
	}{{40, csvCases}, {150001, []string{long}}} {
		testLimit = c.limit
		for _, s := range c.cases {
			want := strings.Join(stdRecords(s), "\n")
			for _, n := range []int{0, 1, 7} {
				if got := strings.Join(ownRecords(s, n), "\n"); got != want {
					t.Errorf("%.60q (reads of %d bytes):\ngot  %.300s\nwant %.300s", s, n, got, want)
				}
			}
		}
	}
	testLimit = 40
}

func FuzzCSVReader(f *testing.F) {
	for _, s := range csvCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, got := stdRecords(s), ownRecords(s, 3)
		if sameRecords(got, want) {
			return
		}
		t.Errorf("%q:\ngot  %s\nwant %s", s, strings.Join(got, "\n"), strings.Join(want, "\n"))
	})
}

// sameRecords compares the records csvReader read with encoding/csv's.
// When the last is a record too long, LimitRecords withholds the bytes
// of its record that came in the same read as the limit: with quotes left
// open, lines that csvReader reads (and reports, as a bare quote …) before
// it finds the record too long. Then got may hold records more before the
// same last error.
func sameRecords(got, want []string) bool {
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return true
	}
	n := len(want)
	if n == 0 || !strings.Contains(want[n-1], "a row longer than") || len(got) < n || got[len(got)-1] != want[n-1] {
		return false
	}
	return strings.Join(got[:n-1], "\n") == strings.Join(want[:n-1], "\n")
}

// TestParseFloat: parseFloat gives strconv.ParseFloat's value bit for bit,
// and its error, on plain decimals and on everything else.
func TestParseFloat(t *testing.T) {
	cases := []string{"0", "-0", "1", "12.5", "0.1", "0.3", "123456789012345", "1234567890123456",
		"99999999999999.9", ".5", "5.", "-.5", ".", "-", "", "1e5", "1.2.3", "+1", "0x10", "inf", "NaN",
		"000000000000001.5", "9007199254740993", "3.14159265358979", "1_000", " 1"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		n := r.Uint64N(1 << 50)
		s := strconv.FormatUint(n, 10)
		if k := r.IntN(len(s) + 1); k < len(s) {
			s = s[:k] + "." + s[k:]
		}
		cases = append(cases, s)
	}
	for _, s := range cases {
		want, werr := strconv.ParseFloat(s, 64)
		got, gerr := parseFloat(s)
		if (werr == nil) != (gerr == nil) || (werr == nil && math.Float64bits(got) != math.Float64bits(want)) {
			t.Errorf("parseFloat(%q) = %v, %v; strconv: %v, %v", s, got, gerr, want, werr)
		}
	}
}

func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"12.5", "-0.001", "1e3", "123456789012345.6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, werr := strconv.ParseFloat(s, 64)
		got, gerr := parseFloat(s)
		if (werr == nil) != (gerr == nil) || (werr == nil && math.Float64bits(got) != math.Float64bits(want)) {
			t.Errorf("parseFloat(%q) = %v, %v; strconv: %v, %v", s, got, gerr, want, werr)
		}
	})
}
