package datamodel

// Column describes one column of a declarations CSV file.
type Column struct {
	Name     string // header name, e.g. "hs_code"
	WCO      string // WCO Data Model id(s), e.g. "145"; "" where docs/domain.md gives none
	Required bool   // the header must name it and every row must give a value
	Expected string // what a good value looks like, as error messages say it
}

// colID is a column's index in the canonical column order.
type colID uint8

// The columns, in the order a Writer writes them.
const (
	colUCR colID = iota
	colConsignorName
	colConsignorID
	colConsigneeName
	colConsigneeID
	colImporterName
	colImporterID
	colExporterName
	colExporterID
	colCarrierName
	colCarrierID
	colNotifyName
	colNotifyID
	colDeclarantName
	colDeclarantID
	colGoods
	colHS
	colPackages
	colGrossWeight
	colValue
	colCurrency
	colOrigin
	colDispatch
	colRouting
	colLoading
	colDischarge
	colMode
	colMeans
	colConveyance
	colContainers
	colSeals
	colLodgement
	colArrival
	colAEO
	colControl
	colIrregular
	colThreat
	colDuty
	numCols

	colUnknown colID = 255 // a file column that is not part of the record
)

const (
	expName  = expText
	expGoods = "a description of the goods: " + expText
)

var columns = [numCols]Column{
	colUCR:           {"ucr", "016", true, expUCR},
	colConsignorName: {"consignor_name", "071", true, expName},
	colConsignorID:   {"consignor_id", "072", false, expID},
	colConsigneeName: {"consignee_name", "051", true, expName},
	colConsigneeID:   {"consignee_id", "052", false, expID},
	colImporterName:  {"importer_name", "039", false, expName},
	colImporterID:    {"importer_id", "040", false, expID},
	colExporterName:  {"exporter_name", "041", false, expName},
	colExporterID:    {"exporter_id", "042", false, expID},
	colCarrierName:   {"carrier_name", "049", false, expName},
	colCarrierID:     {"carrier_id", "050", false, expID},
	colNotifyName:    {"notify_party_name", "057", false, expName},
	colNotifyID:      {"notify_party_id", "058", false, expID},
	colDeclarantName: {"declarant_name", "", false, expName},
	colDeclarantID:   {"declarant_id", "", false, expID},
	colGoods:         {"goods_description", "137", true, expGoods},
	colHS:            {"hs_code", "145", true, expHS},
	colPackages:      {"packages", "144 (unverified)", true, "a whole number of packages >= 0"},
	colGrossWeight:   {"gross_weight_kg", "131", true, "a gross weight in kg >= 0, e.g. 1250.5"},
	colValue:         {"customs_value", "108", true, "an amount >= 0, e.g. 18250.75"},
	colCurrency:      {"currency", "", true, expCurrency},
	colOrigin:        {"country_of_origin", "", true, expCountry},
	colDispatch:      {"country_of_dispatch", "062", true, expCountry},
	colRouting:       {"countries_of_routing", "064", false, "ISO 3166-1 alpha-2 codes in routing order separated by ';', e.g. CN;SG;NL"},
	colLoading:       {"place_of_loading", "", false, expLocode},
	colDischarge:     {"place_of_discharge", "", false, expLocode},
	colMode:          {"transport_mode", "", true, expMode},
	colMeans:         {"means_of_transport_id", "167", false, expID},
	colConveyance:    {"conveyance_reference", "205", false, expID},
	colContainers:    {"container_numbers", "159 (unverified)", false, "ISO 6346 container numbers separated by ';': owner code, category U, J or Z, 6 digits, check digit, e.g. CSQU3054383"},
	colSeals:         {"seal_numbers", "165 (unverified)", false, expSeal},
	colLodgement:     {"lodgement_time", "", true, expTime},
	colArrival:       {"arrival_time", "", true, expTime},
	colAEO:           {"aeo", "", true, "yes or no"},
	colControl:       {"control", "", false, expControl},
	colIrregular:     {"irregular", "", false, expResult},
	colThreat:        {"threat", "", false, "a threat category name: " + expText},
	colDuty:          {"duty_recovered", "", false, "an amount >= 0 in the consignment's currency, or empty"},
}

// Columns returns the columns of a declarations CSV file in the order a
// Writer writes them. A tool that adds its own columns (the simulator's trace)
// writes these first and its own after them; see NewWriter.
func Columns() []Column {
	out := make([]Column, numCols)
	copy(out, columns[:])
	return out
}

// ColumnNames returns the header names of Columns, in order.
func ColumnNames() []string {
	out := make([]string, numCols)
	for i := range columns {
		out[i] = columns[i].Name
	}
	return out
}

// lookupColumn returns the colID of a header name, colUnknown if none.
func lookupColumn(name string) colID {
	for i := range columns {
		if columns[i].Name == name {
			return colID(i)
		}
	}
	return colUnknown
}
