package results

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"pilotsim/metric"
)

// XLSXFile is the spreadsheet every results folder gets: the summary with
// intervals, the long table, and one sheet per lane.
const XLSXFile = "results.xlsx"

// Sheet names of results.xlsx.
const (
	SheetSummary = "summary"
	SheetLong    = "long"
)

// xlsxLanes are the lanes that get a sheet of their own: the summary rows
// of metrics whose subject is the lane (lane.red.share, release.red.p90,
// hit_rate.red).
var xlsxLanes = []string{"green", "blue", "yellow", "red"}

// maxSheetRows is Excel's row limit (1,048,576 with the header).
const maxSheetRows = 1<<20 - 1

// xlsxValue is how a value goes into a cell. Numbers are numbers; text stays
// text, and so does a code that looks like a number but would not survive
// being one ("0901" loses its zero, "1e3" its spelling): only a value that
// prints back as itself (0.02, 30, -1.5) is stored as a number.
func xlsxValue(s string) any {
	if s == "" {
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || strconv.FormatFloat(x, 'f', -1, 64) != s {
		return excelize.Cell{Value: s} // a string cell, never converted
	}
	return x
}

// number is a cell for a float (empty when NaN).
func number(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return x
}

// WriteXLSX writes the study as a workbook: a summary sheet (every metric
// of every scenario with its mean, 95% interval and n, and the metric's
// description), the long table (as long.csv), and one sheet per lane with
// the summary rows of that lane. Parameter values and scenario labels are
// text unless they are plain numbers (so an HS code keeps its leading zero).
// A study whose reports have the pools' hour-of-week profiles (a run's)
// also gets the sheet pools_by_hour. The bytes depend only on the study.
func (t *LongTable) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	// Fixed document properties: no creation time, so the same study gives
	// the same file.
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "pilotsim", Created: "2000-01-01T00:00:00Z", Modified: "2000-01-01T00:00:00Z",
		Title: "pilotsim " + t.Kind + " results"}); err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	sumHead := append(append([]string{"scenario"}, t.Params...), "metric", "family", "of", "subject", "part", "stat", "unit", "mean", "ci_low", "ci_high", "n", "description")
	summaryRow := func(s *LongScenario, e *Estimate) []any {
		row := []any{excelize.Cell{Value: s.Label}}
		for _, p := range s.Params {
			row = append(row, xlsxValue(p))
		}
		return append(row, e.Name(), string(e.Family), string(e.Of), e.Subject, e.Part, string(e.Stat), string(e.Unit),
			number(e.Mean), number(e.Low), number(e.High), e.N, e.Help)
	}
	if err := t.writeSheet(f, SheetSummary, sumHead, func(add func([]any) error) error {
		for i := range t.Scenarios {
			s := &t.Scenarios[i]
			for j := range s.Report.Estimates {
				if err := add(summaryRow(s, &s.Report.Estimates[j])); err != nil {
					return err
				}
			}
		}
		return nil
	}); err != nil {
		return err
	}

	if _, err := f.NewSheet(SheetLong); err != nil {
		return err
	}
	if err := t.writeSheet(f, SheetLong, t.LongHeader(), func(add func([]any) error) error {
		row := make([]any, 0, len(t.Params)+6)
		n := 0
		return t.Rows(func(r *LongRow) error {
			if n++; n > maxSheetRows {
				return fmt.Errorf("the long table has more than %d rows, Excel's limit: read %s instead", maxSheetRows, LongFile)
			}
			row = append(row[:0], excelize.Cell{Value: r.Scenario})
			for _, p := range r.Params {
				row = append(row, xlsxValue(p))
			}
			row = append(row, r.Rep, strconv.FormatUint(r.Seed, 10), r.Metric, r.Family, r.Of, r.Subject, r.Part, r.Stat, r.Unit, number(r.Value))
			return add(row)
		})
	}); err != nil {
		return err
	}

	for _, lane := range xlsxLanes {
		if _, err := f.NewSheet(lane); err != nil {
			return err
		}
		if err := t.writeSheet(f, lane, sumHead, func(add func([]any) error) error {
			for i := range t.Scenarios {
				s := &t.Scenarios[i]
				for j := range s.Report.Estimates {
					if e := &s.Report.Estimates[j]; e.Of == metric.OfLane && e.Subject == lane {
						if err := add(summaryRow(s, e)); err != nil {
							return err
						}
					}
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if err := t.writePoolHoursSheet(f); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return err
	}
	return sortedZip(w, buf.Bytes())
}

// writePoolHoursSheet adds the sheet pools_by_hour, pools_by_hour.csv of
// every scenario that has the pools' hour-of-week profiles (a run's), after
// the scenario and its parameter values; no sheet when none has them.
func (t *LongTable) writePoolHoursSheet(f *excelize.File) error {
	some := false
	for _, s := range t.Scenarios {
		some = some || s.Report.PoolHours != nil
	}
	if !some {
		return nil
	}
	if _, err := f.NewSheet(SheetPoolsByHour); err != nil {
		return err
	}
	head := append(append([]string{"scenario"}, t.Params...), poolHourHeader...)
	return t.writeSheet(f, SheetPoolsByHour, head, func(add func([]any) error) error {
		for _, s := range t.Scenarios {
			for _, r := range poolHourRows(s.Report.PoolHours) {
				row := []any{excelize.Cell{Value: s.Label}}
				for _, p := range s.Params {
					row = append(row, xlsxValue(p))
				}
				row = append(row, excelize.Cell{Value: r.Pool}, r.Weekday, r.Hour, r.HourOfWeek,
					number(float64(r.Queue)), number(float64(r.QueueLow)), number(float64(r.QueueHigh)),
					number(float64(r.Wait)), number(float64(r.WaitLow)), number(float64(r.WaitHigh)),
					number(float64(r.Starts)), number(float64(r.StartsLow)), number(float64(r.StartsHigh)), r.N, r.NWait)
				if err := add(row); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// sortedZip copies a zip archive to w with its entries in name order:
// excelize writes them in map order, so the same workbook would otherwise
// come out as different bytes. The entries are copied compressed, as they
// are.
func sortedZip(w io.Writer, data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	files := slices.Clone(zr.File)
	slices.SortFunc(files, func(a, b *zip.File) int { return strings.Compare(a.Name, b.Name) })
	zw := zip.NewWriter(w)
	for _, f := range files {
		raw, err := f.OpenRaw()
		if err != nil {
			return err
		}
		h := f.FileHeader
		out, err := zw.CreateRaw(&h)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, raw); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeSheet streams a sheet: a bold header row, frozen, then the rows that
// fill gives to add.
func (t *LongTable) writeSheet(f *excelize.File, name string, header []string, fill func(add func([]any) error) error) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	r := 1
	if err := fill(func(row []any) error {
		r++
		cell, err := excelize.CoordinatesToCellName(1, r)
		if err != nil {
			return err
		}
		return sw.SetRow(cell, row)
	}); err != nil {
		return err
	}
	return sw.Flush()
}
