package datamodel_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"pilotsim/datamodel"
)

// A declarations file may give the required columns only, in any order. The
// Reader returns each good record, and for each bad row a *RowError naming
// every problem; it then goes on.
func ExampleReader() {
	const file = `ucr,consignor_name,consignee_name,goods_description,hs_code,packages,gross_weight_kg,customs_value,currency,country_of_origin,country_of_dispatch,transport_mode,lodgement_time,arrival_time,aeo,container_numbers
5CN913500001234-000017,Ningbo Golden Trading,Delta Import B.V.,Laptop computers,847130,120,540.5,97290.25,EUR,CN,CN,sea,2025-03-01T08:00:00Z,2025-03-20T14:30:00Z,yes,CSQU3054383
5CN913500001234-000018,Ningbo Golden Trading,Delta Import B.V.,Bananas,80390,10,180,160,EUR,CN,CN,sea,2025-03-01T08:00:00Z,2025-03-20T14:30:00Z,maybe,CSQU3054384
`
	r, err := datamodel.NewReader(strings.NewReader(file))
	if err != nil {
		fmt.Println(err)
		return
	}
	for {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		var re *datamodel.RowError
		if errors.As(err, &re) {
			for _, fe := range re.Fields {
				fmt.Printf("line %d: %s\n", fe.Line, fe.Message())
			}
			continue
		}
		fmt.Println(c.UCR, c.HS, c.Origin.Name(), c.GrossWeight, c.Containers, c.Arrival.Sub(c.Lodgement))
	}
	fmt.Println(r.Row(), "rows")
	// Output:
	// 5CN913500001234-000017 847130 China 540.5 [CSQU3054383] 462h30m0s
	// line 3: hs_code: "80390" has 5 digits (a spreadsheet may have dropped a leading zero) (want 6 digits starting with an HS chapter in use, 01-97 except 77, e.g. 080390)
	// line 3: aeo: "maybe" is not yes or no (want yes or no)
	// line 3: container_numbers: item 1 "CSQU3054384" has check digit 4 (ISO 6346 gives 3) (want ISO 6346 container numbers separated by ';': owner code, category U, J or Z, 6 digits, check digit, e.g. CSQU3054383)
	// 2 rows
}

// A tool that adds its own columns (a simulator trace) names them when it
// makes the Writer and gives their values with each record; a Reader keeps
// them aside.
func ExampleWriter() {
	cn, _ := datamodel.ParseCountry("CN")
	c := &datamodel.Consignment{
		UCR: "5CN913500001234-000017", Consignor: datamodel.Party{Name: "Ningbo Golden Trading"},
		Consignee: datamodel.Party{Name: "Delta Import B.V."}, GoodsDescription: "Laptop computers",
		HS: 847130, Packages: 120, GrossWeight: 540.5, CustomsValue: 97290.25, Currency: "EUR",
		Origin: cn, Dispatch: cn, Mode: datamodel.ModeSea,
		Lodgement: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC), Arrival: time.Date(2025, 3, 20, 14, 30, 0, 0, time.UTC),
	}
	var b strings.Builder
	w, _ := datamodel.NewWriter(&b, "score", "lane")
	_ = w.WriteExtra(c, []string{"42", "red"})
	_ = w.Flush()

	r, _ := datamodel.NewReader(strings.NewReader(b.String()))
	back, _ := r.Next()
	fmt.Println(back.Equal(c), r.Unknown(), r.Extra())
	// Output:
	// true [score lane] [42 red]
}

// ContainerCheckDigit completes an owner code, category and serial number to
// a container number that CheckContainerNumber accepts.
func ExampleContainerCheckDigit() {
	d, _ := datamodel.ContainerCheckDigit("CSQU305438")
	number := fmt.Sprintf("CSQU305438%d", d)
	fmt.Println(number, datamodel.CheckContainerNumber(number))
	fmt.Println(datamodel.CheckContainerNumber("CSQU3054384"))
	// Output:
	// CSQU3054383 <nil>
	// "CSQU3054384" has check digit 4 (ISO 6346 gives 3) (want an ISO 6346 container number: owner code (3 letters), category U, J or Z, 6 digits, check digit, e.g. CSQU3054383)
}

// Validate checks a record built in code, for example by a generator, against
// the rules a Reader applies to a file.
func ExampleConsignment_Validate() {
	c := &datamodel.Consignment{UCR: "REF-1", HS: 771100, GrossWeight: -1}
	err := c.Validate()
	var re *datamodel.RowError
	if errors.As(err, &re) {
		for _, fe := range re.Fields[:4] {
			fmt.Println(fe.Message())
		}
	}
	// Output:
	// consignor_name: missing (want text of at most 512 bytes of UTF-8 without control characters)
	// consignee_name: missing (want text of at most 512 bytes of UTF-8 without control characters)
	// goods_description: missing (want a description of the goods: text of at most 512 bytes of UTF-8 without control characters)
	// hs_code: "771100" is in chapter 77, which is not in use (want 6 digits starting with an HS chapter in use, 01-97 except 77, e.g. 080390)
}
