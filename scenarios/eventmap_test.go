package scenarios_test

import (
	"strings"
	"testing"

	"pilotsim/scenarios"
)

// TestEventMappingErrors: every bad mapping (pilotsim trs and calibrate
// --mapping) is refused with its line and what was expected, in words.
func TestEventMappingErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, want string
	}{
		{"empty", "", "the file is empty"},
		{"unknown key", "name: x\ncolums: {arrival: ATA}\n", "map.yaml:2: unknown field \"colums\""},
		{"unknown field in columns", "columns:\n  arival: ATA\n", "line 2: columns: unknown field \"arival\""},
		{"empty column header", "columns:\n  arrival: \"\"\n", "line 2: columns.arrival: want the header of a column"},
		{"unclosed flow mapping", "columns: {arrival: ATA\n", "map.yaml:1:10: a map opened with { is not closed"},
		{"columns as a list", "columns: [ATA]\n", "map.yaml:1: want a mapping (key: value), got a list"},
		{"key given twice", "name: a\nname: b\n", "key \"name\" given twice (first at line 1)"},
		{"not text", "name: \xff\xfe\n", "map.yaml:1:7:"},
		{"bad layout", "time_layout: \"dd/mm/yyyy\"\n", "line 1: time_layout \"dd/mm/yyyy\" is not a Go time layout"},
		{"bad zone", "time_zone: Mars/Olympus\n", "line 1: time_zone \"Mars/Olympus\" is not a known IANA time zone"},
		{"two-character delimiter", "delimiter: \";;\"\n", "line 1: delimiter \";;\": want one ASCII character"},
		{"carriage return as delimiter", "delimiter: \"\\r\"\n", "want one ASCII character other than a quote or a line break"},
		{"channel code to no channel", "codes:\n  channel:\n    V: green\n    R: rouge\n", "line 4: codes.channel: \"R\" translates to \"rouge\" (want one of green, blue, yellow, red)"},
		{"aeo code to no answer", "codes:\n  aeo: {O: oui}\n", "line 2: codes.aeo: \"O\" translates to \"oui\""},
		{"outcome code", "codes:\n  outcome: {\"1\": bad}\n", "codes.outcome: \"1\" translates to \"bad\""},
		{"codes of an unknown field", "codes:\n  lane: {V: green}\n", "line 2: codes: unknown field \"lane\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := scenarios.ParseEventMapping("map.yaml", []byte(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant an error containing %q", err, tc.want)
			}
			if err != nil && (strings.Contains(" "+err.Error(), " yaml: ") || strings.Contains(err.Error(), "unmarshal") || strings.Contains(err.Error(), "did not find")) {
				t.Errorf("parser jargon in %q", err)
			}
		})
	}
	m, err := scenarios.ParseEventMapping("map.yaml", []byte("codes:\n  channel: {V: Green, R: red}\n  office: {\"01\": Dakar port}\ntime_zone: Africa/Dakar\ndelimiter: \";\"\n"))
	if err != nil || m.Delimiter != ';' || m.Location.String() != "Africa/Dakar" {
		t.Errorf("a good mapping: %v %+v", err, m)
	}
}
