package results

import "testing"

// Labels made from names write the acronyms in capitals wherever they stand,
// and only whole words ("hsbc" and "tracks" stay as they are).
func TestLabelText(t *testing.T) {
	for _, tc := range []struct{ in, label, sentence string }{
		{"nii utilization", "NII utilization", "NII utilization"},
		{"nii util.", "NII util.", "NII util."},
		{"non_aeo", "non AEO", "Non AEO"},
		{"Aeo", "AEO", "AEO"},
		{"trs.document.wait", "TRS.document.wait", "TRS.document.wait"},
		{"hs_chapter ks-rules", "HS chapter KS-rules", "HS chapter KS-rules"},
		{"hsbc tracks niiX", "hsbc tracks niiX", "Hsbc tracks niiX"},
		{"mean wait", "mean wait", "Mean wait"},
		{"", "", ""},
		{"édition", "édition", "Édition"},
	} {
		if got := labelText(tc.in); got != tc.label {
			t.Errorf("labelText(%q) = %q, want %q", tc.in, got, tc.label)
		}
		if got := sentenceLabel(tc.in); got != tc.sentence {
			t.Errorf("sentenceLabel(%q) = %q, want %q", tc.in, got, tc.sentence)
		}
	}
}
