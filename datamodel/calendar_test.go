package datamodel

import (
	"testing"
	"time"
)

// TestCalendarMatchesTime checks DaysIn and DaysFromCivil against the time
// package over every day from 1599 to 2401 (leap centuries and not) and a
// few years before year 1, where the era must be floored.
func TestCalendarMatchesTime(t *testing.T) {
	for _, span := range [][2]int{{-801, -799}, {-1, 1}, {1599, 2401}} {
		for y := span[0]; y <= span[1]; y++ {
			for m := 1; m <= 12; m++ {
				want := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
				if got := DaysIn(y, m); got != want {
					t.Fatalf("DaysIn(%d, %d) = %d, want %d", y, m, got, want)
				}
				for d := 1; d <= want; d++ {
					day := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Unix() / 86400
					if got := DaysFromCivil(y, m, d); got != day {
						t.Fatalf("DaysFromCivil(%d, %d, %d) = %d, want %d", y, m, d, got, day)
					}
				}
			}
		}
	}
}

func TestParseDigits(t *testing.T) {
	for _, c := range []struct {
		in string
		n  int
		ok bool
	}{{"2021", 2021, true}, {"07", 7, true}, {"", 0, true}, {"1a", 0, false}, {"-1", 0, false}, {" 1", 0, false}} {
		n, ok := ParseDigits(c.in)
		nb, okb := ParseDigits([]byte(c.in))
		if n != c.n || ok != c.ok || nb != n || okb != ok {
			t.Errorf("ParseDigits(%q) = %d, %v (bytes %d, %v), want %d, %v", c.in, n, ok, nb, okb, c.n, c.ok)
		}
	}
}
