package datamodel

// Calendar and digit helpers shared by the readers that parse dates without
// the time package (datamodel's event reader and sim/backtest's history
// reader), so the proleptic Gregorian arithmetic lives in one place.

// DaysIn is the number of days in month m (1–12) of year y (proleptic
// Gregorian: leap years are divisible by 4, except centuries not divisible
// by 400).
func DaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// DaysFromCivil is the number of days from 1970-01-01 to y-m-d (proleptic
// Gregorian; Howard Hinnant's days_from_civil), negative before 1970. m is
// 1–12 and d 1–DaysIn(y, m); the result is undefined otherwise.
func DaysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// ParseDigits reads s as a non-negative decimal integer made only of the
// digits 0–9 (no sign, no spaces); ok is false for any other byte. An empty
// s reads as 0. The caller bounds the length, so it cannot overflow in use.
func ParseDigits[T ~string | ~[]byte](s T) (n int, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
