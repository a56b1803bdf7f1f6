// Package datamodel holds the consignment record that pilotsim reads, writes and
// simulates: the key data elements of the WCO Data Model that a customs
// administration receives as advance electronic cargo information, the code lists
// those elements are drawn from (ISO 3166-1 countries, HS chapters, transport
// modes), validators for their shapes (ISO 6346 container numbers, UN/LOCODE,
// HS codes, UCR) and streaming CSV reading and writing.
//
// It depends only on the standard library and gocsv. It knows nothing of
// scenarios, simulation or results: a Member's own tool can use it to check a
// declarations file.
package datamodel
