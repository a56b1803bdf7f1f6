package results

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// labelAcronyms are the words a label made from a name writes in capitals,
// wherever they stand and however the name spells them: a pool named "nii"
// reads "NII utilization", never "Nii utilization".
var labelAcronyms = map[string]string{"nii": "NII", "aeo": "AEO", "trs": "TRS", "hs": "HS", "ks": "KS"}

// labelText writes a name as the words of a label: "_" as a space and the
// acronyms in capitals ("non_aeo" → "non AEO", "nii util." → "NII util.").
// Every label the reports and tables make from a name goes through it.
func labelText(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	var b strings.Builder
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWord(r) {
			b.WriteString(s[i : i+n])
			i += n
			continue
		}
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !isWord(r) {
				break
			}
			j += n
		}
		w := s[i:j]
		if a, ok := labelAcronyms[strings.ToLower(w)]; ok {
			w = a
		}
		b.WriteString(w)
		i = j
	}
	return b.String()
}

// sentenceLabel is labelText with its first letter in capitals, for a title
// ("nii utilization" → "NII utilization", "mean wait" → "Mean wait").
func sentenceLabel(s string) string {
	s = labelText(s)
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
