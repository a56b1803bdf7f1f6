// Package datamodel holds the consignment record that pilotsim reads, writes and
// simulates: the key data elements of the WCO Data Model that a customs
// administration receives as advance electronic cargo information, the code lists
// those elements are drawn from (ISO 3166-1 countries, ISO 4217 currencies, HS
// chapters, transport modes), validators for their shapes (ISO 6346 container
// numbers with check digit, UN/LOCODE, HS codes, UCR) and streaming CSV reading
// and writing.
//
// A declarations CSV file has a header naming its columns (Columns lists them
// with their WCO Data Model ids) and one consignment per row; lists are
// ';'-separated, times RFC 3339. Reader reads one row at a time in constant
// memory and reports every problem of a bad row as a *RowError — line, byte
// column, column name, value and what was expected — and goes on, so a tool can
// list all bad rows of a file. Writer writes records, optionally followed by a
// caller's extra columns (the simulator's trace adds its own). Validate checks a
// record built in code against the same rules.
//
// It depends only on the standard library. The CSV code maps columns through a
// table instead of gocsv's per-row reflection, which costs more than the whole
// check (see BenchmarkGocsvBaseline); the code types implement
// encoding.TextMarshaler and encoding.TextUnmarshaler, so they work as fields of
// gocsv, JSON and YAML records. It knows nothing of scenarios, simulation or
// results: a Member's own tool can use it to check a declarations file.
package datamodel
