package datamodel

import (
	"strings"
	"time"
)

// A mapping's time layout ("02/01/2006 15:04", "2006-01-02 15:04:05" …)
// is usually made of fixed-width numbers and separators. Such a layout is
// compiled once into a list of steps that the reader follows on the bytes
// of a value, without the time package; a value that does not follow the
// steps exactly (a one-digit hour, a fraction of a second, two spaces …)
// goes to time.ParseInLocation, which decides. So the fast path only ever
// gives what time.ParseInLocation gives (FuzzLayoutTime checks it).

// layoutStep is one step of a compiled layout: a literal byte or a number.
type layoutStep struct {
	kind layoutKind
	lit  byte // the literal byte (kind lkLit)
}

type layoutKind uint8

const (
	lkLit    layoutKind = iota
	lkYear              // 2006: four digits
	lkMonth             // 01: two digits, 1–12
	lkDay               // 02: two digits, 1–days in the month
	lkHour              // 15: two digits, 0–23
	lkMinute            // 04: two digits, 0–59
	lkSecond            // 05: two digits, 0–59
)

// compileLayout returns the steps of layout, or nil when the layout holds
// anything but the numbers 2006, 01, 02, 15, 04 and 05 (each at most once,
// all but the seconds required) and the separators space (single), / - :
// T . and , (not starting a fraction): zones, month names, 12-hour clocks,
// fractions and unpadded numbers are left to the time package.
func compileLayout(layout string) []layoutStep {
	var steps []layoutStep
	var seen [lkSecond + 1]bool
	number := func(k layoutKind) bool {
		if seen[k] {
			return false
		}
		seen[k] = true
		steps = append(steps, layoutStep{kind: k})
		return true
	}
	for i := 0; i < len(layout); {
		rest := layout[i:]
		var k layoutKind
		switch {
		case strings.HasPrefix(rest, "2006"):
			k = lkYear
		case strings.HasPrefix(rest, "002"): // day of the year
			return nil
		case strings.HasPrefix(rest, "01"):
			k = lkMonth
		case strings.HasPrefix(rest, "02"):
			k = lkDay
		case strings.HasPrefix(rest, "15"):
			k = lkHour
		case strings.HasPrefix(rest, "04"):
			k = lkMinute
		case strings.HasPrefix(rest, "05"):
			k = lkSecond
		}
		if k != lkLit {
			if !number(k) {
				return nil
			}
			if k == lkYear {
				i += 4
			} else {
				i += 2
			}
			continue
		}
		c := layout[i]
		switch c {
		case ' ':
			if i+1 < len(layout) && layout[i+1] == ' ' {
				return nil // spaces in a row: the time package takes any number
			}
		case '.', ',':
			// A fraction of a second: a run of 0s or 9s after it, then no
			// digit (as the time package reads a layout).
			if j := i + 1; j < len(layout) && (layout[j] == '0' || layout[j] == '9') {
				for j < len(layout) && layout[j] == layout[i+1] {
					j++
				}
				if j == len(layout) || layout[j] < '0' || layout[j] > '9' {
					return nil
				}
			}
		case '/', '-', ':', 'T':
		default:
			return nil // a digit, a letter or another sign the time package may read as an element
		}
		steps = append(steps, layoutStep{kind: lkLit, lit: c})
		i++
	}
	// Seconds, then . or , and a number: the time package reads the
	// number as a fraction of a second.
	for j := 0; j+2 < len(steps); j++ {
		if steps[j].kind == lkSecond && steps[j+1].kind == lkLit && (steps[j+1].lit == '.' || steps[j+1].lit == ',') && steps[j+2].kind != lkLit {
			return nil
		}
	}
	for _, k := range []layoutKind{lkYear, lkMonth, lkDay, lkHour, lkMinute} {
		if !seen[k] {
			return nil
		}
	}
	return steps
}

// fastLayout reads v by er.steps as time.ParseInLocation(er.layout, v,
// er.loc) reads it, with the offset of the zone at that time; ok is false
// when v does not follow the steps exactly (the caller then asks the time
// package).
func (er *EventReader) fastLayout(v []byte) (float64, int, bool) {
	var y, mo, d, h, mi, s int
	i := 0
	for _, st := range er.steps {
		if st.kind == lkLit {
			if i >= len(v) || v[i] != st.lit {
				return 0, 0, false
			}
			i++
			if st.lit == ' ' && i < len(v) && v[i] == ' ' {
				return 0, 0, false
			}
			continue
		}
		if st.kind == lkYear {
			if i+4 > len(v) {
				return 0, 0, false
			}
			a, ok1 := twoDigits(v[i], v[i+1])
			b, ok2 := twoDigits(v[i+2], v[i+3])
			if !ok1 || !ok2 {
				return 0, 0, false
			}
			y = a*100 + b
			i += 4
			continue
		}
		if i+2 > len(v) {
			return 0, 0, false
		}
		n, ok := twoDigits(v[i], v[i+1])
		if !ok {
			return 0, 0, false
		}
		i += 2
		switch st.kind {
		case lkMonth:
			mo = n
		case lkDay:
			d = n
		case lkHour:
			h = n
		case lkMinute:
			mi = n
		case lkSecond:
			s = n
			// A fraction after the seconds is read by the time package even
			// when the layout has none.
			if i+1 < len(v) && (v[i] == '.' || v[i] == ',') && v[i+1] >= '0' && v[i+1] <= '9' {
				return 0, 0, false
			}
		}
	}
	if i != len(v) || mo < 1 || mo > 12 || d < 1 || d > DaysIn(y, mo) || h > 23 || mi > 59 || s > 59 {
		return 0, 0, false
	}
	local := DaysFromCivil(y, mo, d)*86400 + int64(h*3600+mi*60+s)
	if er.loc == time.UTC {
		return float64(local), 0, true
	}
	utc, off := er.localToUTC(local)
	return float64(utc), off, true
}

// checkLayout keeps the compiled steps only if they read a few times as
// the time package does (a guard against a layout element the compiler
// would take for a literal).
func (er *EventReader) checkLayout() {
	for _, t := range []time.Time{
		time.Date(2025, 3, 14, 9, 30, 45, 0, er.loc),
		time.Date(1999, 12, 31, 23, 59, 0, 0, er.loc),
		time.Date(2024, 2, 29, 0, 0, 1, 0, er.loc),
	} {
		s := t.Format(er.layout)
		want, err := time.ParseInLocation(er.layout, s, er.loc)
		got, _, ok := er.fastLayout([]byte(s))
		if err != nil || !ok || got != float64(want.Unix()) {
			er.steps = nil
			return
		}
	}
}
