package datamodel

import (
	"strconv"
	"strings"
	"time"
)

// This file holds the conversion between a Consignment and its CSV text, one
// column at a time, shared by Reader, Writer and Validate.

// problem is what parseField found wrong with a value; msg is "" when nothing.
type problem struct {
	msg   string
	item  int    // 1-based item of a ';'-separated list, 0 for the whole value
	value string // the item at fault, when item > 0
}

const emptyItem = "is empty (two ';' in a row, or one at an end)"

// parseField reads the text s of column id into c. It allocates nothing when s
// is well-formed: strings in c are s or parts of it.
func parseField(c *Consignment, id colID, s string) problem {
	if s == "" {
		if columns[id].Required {
			return problem{msg: "is missing"}
		}
		return problem{}
	}
	var p string
	switch id {
	case colUCR:
		p = checkUCR(s)
		c.UCR = s
	case colConsignorName:
		p, c.Consignor.Name = checkText(s), s
	case colConsignorID:
		p, c.Consignor.ID = checkID(s), s
	case colConsigneeName:
		p, c.Consignee.Name = checkText(s), s
	case colConsigneeID:
		p, c.Consignee.ID = checkID(s), s
	case colImporterName:
		p, c.Importer.Name = checkText(s), s
	case colImporterID:
		p, c.Importer.ID = checkID(s), s
	case colExporterName:
		p, c.Exporter.Name = checkText(s), s
	case colExporterID:
		p, c.Exporter.ID = checkID(s), s
	case colCarrierName:
		p, c.Carrier.Name = checkText(s), s
	case colCarrierID:
		p, c.Carrier.ID = checkID(s), s
	case colNotifyName:
		p, c.NotifyParty.Name = checkText(s), s
	case colNotifyID:
		p, c.NotifyParty.ID = checkID(s), s
	case colDeclarantName:
		p, c.Declarant.Name = checkText(s), s
	case colDeclarantID:
		p, c.Declarant.ID = checkID(s), s
	case colGoods:
		p, c.GoodsDescription = checkText(s), s
	case colHS:
		c.HS, p = parseHS(s)
	case colPackages:
		c.Packages, p = parseCount(s)
	case colGrossWeight:
		c.GrossWeight, p = parseAmount(s)
	case colValue:
		c.CustomsValue, p = parseAmount(s)
	case colCurrency:
		c.Currency = s
		if !isCurrency(s) {
			p = "is not an ISO 4217 currency code"
		}
	case colOrigin, colDispatch:
		v := lookupCountry(s)
		if v == NoCountry {
			p = "is not an ISO 3166-1 alpha-2 country code"
		}
		if id == colOrigin {
			c.Origin = v
		} else {
			c.Dispatch = v
		}
	case colRouting:
		n := 0
		for item := range strings.SplitSeq(s, ";") {
			n++
			if item == "" {
				return problem{msg: emptyItem, item: n}
			}
			v := lookupCountry(item)
			if v == NoCountry {
				return problem{msg: "is not an ISO 3166-1 alpha-2 country code", item: n, value: item}
			}
			c.Routing = append(c.Routing, v)
		}
	case colLoading:
		p, c.PlaceOfLoading = checkLocode(s), s
	case colDischarge:
		p, c.PlaceOfDischarge = checkLocode(s), s
	case colMode:
		var ok bool
		if c.Mode, ok = lookupMode(s); !ok {
			p = "is not a transport mode"
		}
	case colMeans:
		p, c.MeansOfTransport = checkID(s), s
	case colConveyance:
		p, c.ConveyanceRef = checkID(s), s
	case colContainers, colSeals:
		n := 0
		for item := range strings.SplitSeq(s, ";") {
			n++
			if item == "" {
				return problem{msg: emptyItem, item: n}
			}
			if id == colContainers {
				if p := checkContainer(item); p != "" {
					return problem{msg: p, item: n, value: item}
				}
				c.Containers = append(c.Containers, item)
			} else {
				if p := checkSeal(item); p != "" {
					return problem{msg: p, item: n, value: item}
				}
				c.Seals = append(c.Seals, item)
			}
		}
	case colLodgement:
		c.Lodgement, p = parseTime(s)
	case colArrival:
		c.Arrival, p = parseTime(s)
	case colAEO:
		var ok bool
		if c.AEO, ok = parseYesNo(s); !ok {
			p = "is not yes or no"
		}
	case colControl:
		c.Outcome.Controls, p = parseControls(s)
	case colIrregular:
		var ok bool
		if c.Outcome.Result, ok = parseResult(s); !ok {
			p = "is not yes or no"
		}
	case colThreat:
		p, c.Outcome.Threat = checkText(s), s
	case colDuty:
		c.Outcome.DutyRecovered, p = parseAmount(s)
	}
	return problem{msg: p}
}

// checkRecord appends to errs the problems that involve more than one field.
// bad has bit id set for each column whose value was already reported; checks
// on such columns are skipped. raw holds the text of each column ("" when
// absent) and pos gives the position of a column in the file.
func checkRecord(c *Consignment, raw *[numCols]string, bad uint64, errs []FieldError, pos func(colID) (int, int)) []FieldError {
	add := func(id colID, p, exp string) {
		line, col := pos(id)
		errs = append(errs, FieldError{Line: line, Col: col, Column: columns[id].Name, Value: raw[id], Problem: p, Expected: exp})
	}
	ok := func(ids ...colID) bool {
		for _, id := range ids {
			if bad&(1<<id) != 0 {
				return false
			}
		}
		return true
	}
	if ok(colLodgement, colArrival) && !c.Lodgement.IsZero() && !c.Arrival.IsZero() {
		d := c.Lodgement.Sub(c.Arrival)
		const exp = "a lodgement time from 200 days before to 90 days after arrival_time"
		switch {
		case d < -MaxLodgementLead:
			add(colLodgement, "is "+days(-d)+" before arrival_time "+raw[colArrival], exp)
		case d > MaxLodgementDelay:
			add(colLodgement, "is "+days(d)+" after arrival_time "+raw[colArrival], exp)
		}
	}
	o := &c.Outcome
	if ok(colControl, colIrregular) {
		switch {
		case o.Result != ResultUnknown && !o.Controls.Recorded():
			add(colControl, "is missing", "the controls performed, since irregular is given")
		case o.Result == ResultIrregular && !o.Controls.Performed():
			add(colControl, "says no control was performed, yet irregular is yes", "the control that found the irregularity")
		}
	}
	if ok(colIrregular, colThreat) && o.Threat != "" && o.Result != ResultIrregular {
		add(colThreat, "is given but irregular is not yes", "a threat category only for an irregular consignment")
	}
	if ok(colIrregular, colDuty) && o.DutyRecovered > 0 && o.Result != ResultIrregular {
		add(colDuty, "is given but irregular is not yes", "duty recovered only for an irregular consignment")
	}
	return errs
}

// days writes a duration in days with one decimal, for messages.
func days(d time.Duration) string {
	return strconv.FormatFloat(d.Hours()/24, 'f', 1, 64) + " days"
}

// format writes the text of every column of c into f. Text that must be
// produced (numbers, times, lists) is appended to buf and converted to one
// string, so a call costs one allocation; the grown buf is returned for reuse.
// Zero values write "": NoCountry, the zero HSCode, the zero time, a
// DutyRecovered of 0.
func (c *Consignment) format(buf []byte, f *[numCols]string) []byte {
	var span [numCols][2]int32
	buf = buf[:0]
	mark := func(id colID, start int) { span[id] = [2]int32{int32(start), int32(len(buf))} }

	f[colUCR] = c.UCR
	f[colConsignorName], f[colConsignorID] = c.Consignor.Name, c.Consignor.ID
	f[colConsigneeName], f[colConsigneeID] = c.Consignee.Name, c.Consignee.ID
	f[colImporterName], f[colImporterID] = c.Importer.Name, c.Importer.ID
	f[colExporterName], f[colExporterID] = c.Exporter.Name, c.Exporter.ID
	f[colCarrierName], f[colCarrierID] = c.Carrier.Name, c.Carrier.ID
	f[colNotifyName], f[colNotifyID] = c.NotifyParty.Name, c.NotifyParty.ID
	f[colDeclarantName], f[colDeclarantID] = c.Declarant.Name, c.Declarant.ID
	f[colGoods] = c.GoodsDescription
	f[colCurrency] = c.Currency
	f[colOrigin], f[colDispatch] = c.Origin.String(), c.Dispatch.String()
	f[colLoading], f[colDischarge] = c.PlaceOfLoading, c.PlaceOfDischarge
	f[colMode] = c.Mode.String()
	f[colMeans], f[colConveyance] = c.MeansOfTransport, c.ConveyanceRef
	f[colAEO] = "no"
	if c.AEO {
		f[colAEO] = "yes"
	}
	f[colIrregular] = c.Outcome.Result.String()
	f[colThreat] = c.Outcome.Threat

	start := len(buf)
	if c.HS != 0 {
		if c.HS <= 999999 {
			buf = c.HS.appendTo(buf)
		} else {
			buf = strconv.AppendUint(buf, uint64(c.HS), 10)
		}
	}
	mark(colHS, start)
	start = len(buf)
	buf = strconv.AppendInt(buf, int64(c.Packages), 10)
	mark(colPackages, start)
	start = len(buf)
	buf = appendAmount(buf, c.GrossWeight)
	mark(colGrossWeight, start)
	start = len(buf)
	buf = appendAmount(buf, c.CustomsValue)
	mark(colValue, start)
	start = len(buf)
	for i, r := range c.Routing {
		if i > 0 {
			buf = append(buf, ';')
		}
		buf = append(buf, r.String()...)
	}
	mark(colRouting, start)
	start = len(buf)
	buf = appendList(buf, c.Containers)
	mark(colContainers, start)
	start = len(buf)
	buf = appendList(buf, c.Seals)
	mark(colSeals, start)
	start = len(buf)
	buf = appendTime(buf, c.Lodgement)
	mark(colLodgement, start)
	start = len(buf)
	buf = appendTime(buf, c.Arrival)
	mark(colArrival, start)
	start = len(buf)
	buf = c.Outcome.Controls.appendTo(buf)
	mark(colControl, start)
	start = len(buf)
	if c.Outcome.DutyRecovered != 0 {
		buf = appendAmount(buf, c.Outcome.DutyRecovered)
	}
	mark(colDuty, start)

	s := string(buf)
	for _, id := range generated {
		f[id] = s[span[id][0]:span[id][1]]
	}
	return buf
}

// generated lists the columns whose text format produces in its buffer.
var generated = [...]colID{colHS, colPackages, colGrossWeight, colValue, colRouting,
	colContainers, colSeals, colLodgement, colArrival, colControl, colDuty}
