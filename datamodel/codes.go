package datamodel

import (
	"fmt"
	"strconv"
)

// Country is an ISO 3166-1 alpha-2 country as a small integer: its index in the
// sorted code list. The engine carries countries in this form; NoCountry marks
// an absent one (for example no routing hub).
type Country uint8

// NoCountry is the Country value meaning "none".
const NoCountry Country = 255

// NumCountries is the number of ISO 3166-1 alpha-2 codes known.
const NumCountries = len(countryCodes)

// ParseCountry returns the Country for an ISO 3166-1 alpha-2 code such as "CN".
// The code must be two upper-case letters of an assigned country.
func ParseCountry(code string) (Country, error) {
	lo, hi := 0, len(countryCodes)
	for lo < hi {
		m := (lo + hi) / 2
		if countryCodes[m] < code {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(countryCodes) && countryCodes[lo] == code {
		return Country(lo), nil
	}
	return NoCountry, fmt.Errorf("%q is not an ISO 3166-1 alpha-2 country code", code)
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

// ParseHSChapter reads a two-digit chapter such as "08" or "93".
func ParseHSChapter(s string) (int, error) {
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, fmt.Errorf("%q is not a two-digit HS chapter", s)
	}
	ch, _ := strconv.Atoi(s)
	if !HSChapterValid(ch) {
		return 0, fmt.Errorf("%q is not an HS chapter in use (01-97 except 77)", s)
	}
	return ch, nil
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

// String returns the mode's name as written in scenarios and CSV files.
func (m Mode) String() string {
	if m >= NumModes {
		return ""
	}
	return modeNames[m]
}

// ParseMode reads a transport mode name: sea, air, road, rail or postal.
func ParseMode(s string) (Mode, error) {
	for i, n := range modeNames {
		if n == s {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("%q is not a transport mode (want sea, air, road, rail or postal)", s)
}
