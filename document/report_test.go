package document

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/disclosure"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/report"
)

func count(n int64) *int64 { return &n }

// sampleReport is a small release: a table by organization with a
// suppressed cell, and one by organization and time waited with
// percentages, one of them unstable.
func sampleReport() *report.Document {
	pc := func(x float64) *float64 { return &x }
	return &report.Document{Period: "2026-Q3", From: "2026-07-01", Until: "2026-10-01", Grain: "quarter", MinCount: 11, UnstableBelow: 20,
		Suppressed: 2, Primary: 1, Complementary: 1, Cells: 11,
		Tables: []report.Table{
			{Name: "intakes", Metric: "intakes.received", Population: "applicants received in the period",
				Dims: []disclosure.Dimension{{Name: "organization", Categories: []string{"Centro Legal Ejemplo", "Abogados Ficticios", "Clínica Inventada"}}},
				Cells: []report.Cell{{Key: []string{"Centro Legal Ejemplo"}, Count: count(1234)}, {Key: []string{"Abogados Ficticios"}, Suppressed: true, Reason: "small"},
					{Key: []string{"Clínica Inventada"}, Suppressed: true, Reason: "complementary"}, {Key: []string{"*"}, Count: count(1301)}}},
			{Name: "queue", Metric: "queue.waiting", Population: "applicants in line", Denominator: "applicants in line at the organization",
				Dims: []disclosure.Dimension{{Name: "organization", Categories: []string{"Centro Legal Ejemplo"}}, {Name: "waited", Categories: []string{"under_30_days", "over_180_days"}}},
				Cells: []report.Cell{
					{Key: []string{"Centro Legal Ejemplo", "under_30_days"}, Count: count(12), Percent: pc(66.7), Unstable: true},
					{Key: []string{"Centro Legal Ejemplo", "over_180_days"}, Count: count(0), Percent: pc(0)},
					{Key: []string{"Centro Legal Ejemplo", "*"}, Count: count(18)},
					{Key: []string{"*", "under_30_days"}, Count: count(12)}, {Key: []string{"*", "over_180_days"}, Count: count(0)}, {Key: []string{"*", "*"}, Count: count(18)}}},
			{Name: "workshops", Metric: "workshops.held", Population: "workshops held in the period", Empty: true},
		}}
}

// TestReportPDF_MethodsAndCSVValues: pdftotext finds the methods note
// (threshold, method, suppressed), each chart's text alternative, and
// every value of the CSV next to its category, in English and Spanish.
func TestReportPDF_MethodsAndCSVValues(t *testing.T) {
	testenv.Commands(t, "pdftotext")
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := New(cat)
	doc := sampleReport()
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, doc); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "es"} {
		text := pdfText(t, write(t, "report-"+lang+".pdf", func(w io.Writer) error { return r.Report(w, lang, doc, "abc123") }))
		for _, want := range []string{
			cat.T(lang, "report.methods"), cat.T(lang, "report.methods.threshold", 11), cat.T(lang, "report.methods.method"),
			cat.T(lang, "report.methods.suppressed", 2, 11, 1, 1), cat.T(lang, "report.methods.hash", "abc123"),
			cat.T(lang, "report.pdf.alt", cat.T(lang, "report.table.intakes"), ""), // the start of the chart's words
			cat.T(lang, "report.empty"),
		} {
			want = strings.Join(strings.Fields(strings.TrimSuffix(want, ".")), " ")
			if !strings.Contains(text, want) {
				t.Errorf("%s: the PDF lacks %q", lang, want)
			}
		}
		for _, rec := range recs[1:] {
			if rec[5] == "" || rec[3] != "" || rec[2] == "*" {
				continue // suppressed, by two dimensions (checked below), or a total
			}
			if want := rec[2] + ": " + rec[5]; !strings.Contains(text, want) {
				t.Errorf("%s: the PDF lacks the CSV's %q", lang, want)
			}
		}
		if want := "Centro Legal Ejemplo · " + cat.T(lang, "report.cat.under_30_days") + ": 12 (66.7 %, " + cat.T(lang, "report.unstable") + ")"; !strings.Contains(text, want) {
			t.Errorf("%s: the PDF lacks %q", lang, want)
		}
		if strings.Contains(text, "Abogados Ficticios: 0") || !strings.Contains(text, "Abogados Ficticios: "+cat.T(lang, "report.suppressed")) {
			t.Errorf("%s: a suppressed cell is not written as suppressed", lang)
		}
	}
}
