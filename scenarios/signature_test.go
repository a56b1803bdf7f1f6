package scenarios

import (
	"os"
	"strings"
	"testing"
)

// TestSignatureWithoutEffect checks that a signature ratio on a key with no
// weight in legitimate trade (which the engine cannot tilt, so it would be
// silently ignored) is an error at the key, and that ratios on keys with
// weight load.
func TestSignatureWithoutEffect(t *testing.T) {
	data, err := os.ReadFile("testdata/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// minimal.yaml: origins {CN: 3, US: 1}, hs_chapters {all: 1}, no routing.
	for _, tc := range []struct {
		why, trade, signature string
		want                  []string // errors, in order; none: it loads
	}{
		{"ratios on keys with weight", "", `{origin: {CN: 4}, hs_chapter: {"93": 20}}`, nil},
		{"origin missing from trade.origins", "", `{origin: {CN: 4, CO: 40}}`,
			[]string{"sig.yaml:15:33: threats[0].signature.origin.CO: CO has no weight in trade.origins, so this ratio has no effect"}},
		{"origin with weight 0", "origins: {CN: 3, US: 1, CO: 0}", `{origin: {CO: 40}}`,
			[]string{"threats[0].signature.origin.CO: CO has no weight in trade.origins"}},
		{"chapter with weight 0", `hs_chapters: {all: 1, "93": 0}`, `{hs_chapter: {"93": 60, "08": 2}}`,
			[]string{`threats[0].signature.hs_chapter.93: 93 has no weight in trade.hs_chapters, so this ratio has no effect`}},
		{"chapter not listed, no all", `hs_chapters: {"08": 1}`, `{hs_chapter: {"08": 3, "09": 2}}`,
			[]string{`threats[0].signature.hs_chapter.09: 09 has no weight in trade.hs_chapters`}},
		{"hub without routing", "", `{hub: {PA: 3}}`,
			[]string{"threats[0].signature.hub.PA: PA has no weight in trade.routing.hubs, so this ratio has no effect"}},
		{"hub missing from hubs", "routing: {share: 0.2, hubs: {SG: 1}}", `{hub: {SG: 2, PA: 3}}`,
			[]string{"threats[0].signature.hub.PA: PA has no weight in trade.routing.hubs"}},
		{"all three, in file order", `hs_chapters: {"08": 1}`, `{origin: {CO: 4}, hs_chapter: {"09": 2}, hub: {PA: 3}}`,
			[]string{"signature.origin.CO:", "signature.hs_chapter.09:", "signature.hub.PA:"}},
		{"a bad code is reported once, as a bad code", "", `{origin: {XX: 4}}`,
			[]string{`threats[0].signature.origin.XX: "XX" is not an ISO 3166-1 alpha-2 country code`}},
	} {
		src := string(data)
		if tc.trade != "" {
			key, _, _ := strings.Cut(tc.trade, ":")
			lines := strings.Split(src, "\n")
			found := false
			for i, l := range lines {
				if strings.HasPrefix(l, "  "+key+":") {
					lines[i], found = "  "+tc.trade, true
				}
			}
			if !found {
				lines = slicesInsertAfter(lines, "trade:", "  "+tc.trade)
			}
			src = strings.Join(lines, "\n")
		}
		src = strings.Replace(src, "    prevalence: 0.001\n", "    prevalence: 0.001\n    signature: "+tc.signature+"\n", 1)
		_, err := Parse("sig.yaml", []byte(src), nil)
		if len(tc.want) == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.why, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: loads without error", tc.why)
			continue
		}
		got := strings.Split(err.Error(), "\n")
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %d errors, want %d:\n%v", tc.why, len(got), len(tc.want), err)
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(got[i], w) {
				t.Errorf("%s: error %d is %q, want it to hold %q", tc.why, i, got[i], w)
			}
		}
	}
}

// slicesInsertAfter inserts line after the first element equal to after.
func slicesInsertAfter(lines []string, after, line string) []string {
	for i, l := range lines {
		if l == after {
			return append(lines[:i+1], append([]string{line}, lines[i+1:]...)...)
		}
	}
	return append(lines, line)
}
