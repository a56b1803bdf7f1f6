package scenarios

import (
	"os"
	"testing"
)

// TestSitesLoad: a valid sites section loads with the default scale 1 for an
// office that gives none, and the spreads as written.
func TestSitesLoad(t *testing.T) {
	data, err := os.ReadFile("testdata/errors/sites.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base := string(data[:len(data)-len("sites:\n  service_cv: -0.1\n  prevalence_cv: 3\n  offices:\n    - {name: north}\n    - {name: north, scale: 2}\n    - {scale: 1}\n    - {name: east, scale: 0}\n")])
	sc, err := Parse("ok.yaml", []byte(base+"sites:\n  service_cv: 0.2\n  offices:\n    - {name: north}\n    - {name: south, scale: 0.5}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	st := sc.Sites
	if st == nil || len(st.Offices) != 2 {
		t.Fatalf("sites = %+v, want 2 offices", st)
	}
	if st.Offices[0].Scale != 1 || st.Offices[1].Scale != 0.5 || st.ServiceCV != 0.2 || st.PrevalenceCV != 0 {
		t.Errorf("sites = %+v, want north scale 1, south 0.5, service_cv 0.2, prevalence_cv 0", st)
	}
	if st.Offices[1].Line != 21 {
		t.Errorf("south at line %d, want 21", st.Offices[1].Line)
	}
}
