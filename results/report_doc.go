package results

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// This file is the report document shared by run, compare and sweep: a title,
// an introduction and sections, each with text, at most one chart and tables.
// It renders to report.html — one self-contained file, the charts inline as
// SVG, no script, no font or style fetched from anywhere — and to report.md,
// whose charts are SVG files beside it in ReportChartsDir.

// Files a report writes into its output directory.
const (
	ReportHTMLFile  = "report.html"
	ReportMDFile    = "report.md"
	ReportChartsDir = "report-charts" // the charts report.md shows, as SVG files
)

// reportDoc is one report.
type reportDoc struct {
	Title    string
	Subtitle string   // one line under the title: scenario, seed, replications
	Intro    []string // paragraphs of plain text
	Alerts   []string // shown first, as a red banner: an unstable run (see Report.Stability); one starting "Warning: " in amber
	Sections []reportSection
	Notes    []string // closing notes
}

// reportSection is one section: text, then its chart, then its tables.
type reportSection struct {
	ID     string // anchor and chart file name, e.g. "release-cdf"
	Title  string
	Text   []string
	Chart  *reportChart
	Tables []reportTable
}

// reportChart is a chart as SVG (as vgsvg writes it) with the caption a
// reader sees under it.
type reportChart struct {
	SVG     []byte
	Caption string
}

// reportTable is a table of text cells; Numeric[i] right-aligns column i.
type reportTable struct {
	Caption string
	Header  []string
	Rows    [][]string
	Numeric []bool
	// Compact sets a wide table in a smaller type, so that it fits the
	// page without scrolling (the sweep table: a column per figure).
	Compact bool
	// Wrap lets text cells break at spaces (a list of overrides); cells
	// stay on one line otherwise.
	Wrap bool
}

// headerBreaks lets a header such as resources.pools[physical].servers wrap
// after its dots and brackets (<wbr>), so wide tables fit the page.
var headerBreaks = strings.NewReplacer(".", ".<wbr>", "[", "<wbr>[")

// writeReport writes doc as report.html and report.md (with its charts) into
// dir, each file atomically. Chart files of an earlier report that this one
// does not have are removed, so the directory holds one report, not a mix.
func writeReport(dir string, doc *reportDoc) error {
	charts := filepath.Join(dir, ReportChartsDir)
	if err := os.MkdirAll(charts, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	keep := map[string]bool{}
	for _, s := range doc.Sections {
		if s.Chart == nil {
			continue
		}
		name := s.ID + ".svg"
		keep[name] = true
		svg := s.Chart.SVG
		if err := WriteFileAtomic(filepath.Join(charts, name), func(w io.Writer) error {
			_, err := w.Write(svg)
			return err
		}); err != nil {
			return err
		}
	}
	old, _ := filepath.Glob(filepath.Join(charts, "*.svg"))
	for _, f := range old {
		if !keep[filepath.Base(f)] {
			os.Remove(f)
		}
	}
	if err := WriteFileAtomic(filepath.Join(dir, ReportMDFile), doc.writeMarkdown); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, ReportHTMLFile), doc.writeHTML)
}

// reportCSS is the whole style of report.html. Chart text uses a local sans
// serif: Liberation Sans, whose metrics gonum/plot laid the text out with, or
// the metric-compatible Arial/Helvetica.
const reportCSS = `
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: #1a1a1a;
  max-width: 60rem; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
.subtitle { color: #555; margin-top: 0; }
h2 { font-size: 1.3rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; margin-top: 2.2rem; }
figure { margin: 1rem 0; }
figure svg { width: 100%; height: auto; display: block; }
svg text { font-family: "Liberation Sans", Arial, Helvetica, sans-serif !important; }
figcaption { color: #444; font-size: 0.9rem; margin-top: 0.3rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
.table-wrap { overflow-x: auto; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
th, td { padding: 0.25rem 0.55rem; border-bottom: 1px solid #e2e2e2; white-space: nowrap; }
th { background: #f3f3f3; text-align: left; white-space: normal; vertical-align: bottom; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
th.num { text-align: right; }
table.compact { font-size: 0.78rem; }
table.compact th, table.compact td { padding: 0.2rem 0.35rem; }
table.wrap td { white-space: normal; }
.notes { font-size: 0.9rem; color: #333; }
.alert { background: #b00020; color: #fff; font-weight: bold; padding: 0.6rem 0.9rem; border-radius: 4px; }
.alert.warn { background: #fff4d6; color: #4a3200; font-weight: normal; border-left: 5px solid #e69f00; }
nav { font-size: 0.9rem; }
nav a { margin-right: 1rem; }
`

// svgHeader matches what vgsvg writes before the <svg> element.
var svgHeader = regexp.MustCompile(`(?s)^.*?<svg width="[^"]*" height="[^"]*"`)

// inlineSVG turns a vgsvg document into an element for an HTML page: no XML
// prologue, no fixed size (the page's CSS scales it), a role and label.
func inlineSVG(svg []byte, label string) string {
	return svgHeader.ReplaceAllLiteralString(string(svg),
		`<svg role="img" aria-label="`+html.EscapeString(label)+`"`)
}

func (doc *reportDoc) writeHTML(w io.Writer) error {
	var b bytes.Buffer
	esc := html.EscapeString
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	b.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(&b, "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n", esc(doc.Title), reportCSS)
	fmt.Fprintf(&b, "<h1>%s</h1>\n", esc(doc.Title))
	if doc.Subtitle != "" {
		fmt.Fprintf(&b, "<p class=\"subtitle\">%s</p>\n", esc(doc.Subtitle))
	}
	for _, a := range doc.Alerts {
		class := "alert"
		if strings.HasPrefix(a, warningPrefix) {
			class = "alert warn"
		}
		fmt.Fprintf(&b, "<p class=\"%s\">%s</p>\n", class, esc(a))
	}
	for _, p := range doc.Intro {
		fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
	}
	if len(doc.Sections) > 1 {
		b.WriteString("<nav>")
		for _, s := range doc.Sections {
			fmt.Fprintf(&b, "<a href=\"#%s\">%s</a>", esc(s.ID), esc(s.Title))
		}
		b.WriteString("</nav>\n")
	}
	for _, s := range doc.Sections {
		fmt.Fprintf(&b, "<section id=\"%s\">\n<h2>%s</h2>\n", esc(s.ID), esc(s.Title))
		for _, p := range s.Text {
			fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
		}
		if s.Chart != nil {
			fmt.Fprintf(&b, "<figure>\n%s<figcaption>%s</figcaption>\n</figure>\n",
				inlineSVG(s.Chart.SVG, s.Title), esc(s.Chart.Caption))
		}
		for _, t := range s.Tables {
			var classes []string
			if t.Compact {
				classes = append(classes, "compact")
			}
			if t.Wrap {
				classes = append(classes, "wrap")
			}
			if len(classes) > 0 {
				fmt.Fprintf(&b, "<div class=\"table-wrap\"><table class=\"%s\">\n", strings.Join(classes, " "))
			} else {
				b.WriteString("<div class=\"table-wrap\"><table>\n")
			}
			if t.Caption != "" {
				fmt.Fprintf(&b, "<caption>%s</caption>\n", esc(t.Caption))
			}
			b.WriteString("<thead><tr>")
			for i, h := range t.Header {
				// A long parameter path may break after its dots and brackets.
				fmt.Fprintf(&b, "<th%s>%s</th>", numClass(t.Numeric, i), headerBreaks.Replace(esc(h)))
			}
			b.WriteString("</tr></thead>\n<tbody>\n")
			for _, row := range t.Rows {
				b.WriteString("<tr>")
				for i, c := range row {
					fmt.Fprintf(&b, "<td%s>%s</td>", numClass(t.Numeric, i), esc(c))
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</tbody>\n</table></div>\n")
		}
		b.WriteString("</section>\n")
	}
	if len(doc.Notes) > 0 {
		b.WriteString("<section id=\"notes\" class=\"notes\">\n<h2>Notes</h2>\n")
		for _, p := range doc.Notes {
			fmt.Fprintf(&b, "<p>%s</p>\n", esc(p))
		}
		b.WriteString("</section>\n")
	}
	b.WriteString("</body>\n</html>\n")
	_, err := w.Write(b.Bytes())
	return err
}

func numClass(numeric []bool, i int) string {
	if i < len(numeric) && numeric[i] {
		return ` class="num"`
	}
	return ""
}

// mdEscape escapes what Markdown would otherwise read as markup in a cell.
var mdEscape = strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "<", "&lt;", "`", "\\`")

func (doc *reportDoc) writeMarkdown(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", doc.Title)
	if doc.Subtitle != "" {
		fmt.Fprintf(&b, "%s\n\n", doc.Subtitle)
	}
	for _, a := range doc.Alerts {
		fmt.Fprintf(&b, "> **%s**\n\n", a)
	}
	for _, p := range doc.Intro {
		fmt.Fprintf(&b, "%s\n\n", p)
	}
	for _, s := range doc.Sections {
		fmt.Fprintf(&b, "## %s\n\n", s.Title)
		for _, p := range s.Text {
			fmt.Fprintf(&b, "%s\n\n", p)
		}
		if s.Chart != nil {
			fmt.Fprintf(&b, "![%s](%s/%s.svg)\n\n*%s*\n\n", s.Title, ReportChartsDir, s.ID, s.Chart.Caption)
		}
		for _, t := range s.Tables {
			if t.Caption != "" {
				fmt.Fprintf(&b, "**%s**\n\n", t.Caption)
			}
			b.WriteString("|")
			for _, h := range t.Header {
				fmt.Fprintf(&b, " %s |", mdEscape.Replace(h))
			}
			b.WriteString("\n|")
			for i := range t.Header {
				if i < len(t.Numeric) && t.Numeric[i] {
					b.WriteString(" ---: |")
				} else {
					b.WriteString(" --- |")
				}
			}
			b.WriteString("\n")
			for _, row := range t.Rows {
				b.WriteString("|")
				for _, c := range row {
					fmt.Fprintf(&b, " %s |", mdEscape.Replace(c))
				}
				b.WriteString("\n")
			}
			b.WriteString("\n")
		}
	}
	if len(doc.Notes) > 0 {
		b.WriteString("## Notes\n\n")
		for _, p := range doc.Notes {
			fmt.Fprintf(&b, "%s\n\n", p)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}
