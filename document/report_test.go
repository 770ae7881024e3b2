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
			{Name: "fund-cases-detention", Metric: "fund.cases", Population: "funded cases with costs approved in the period",
				Dims: []disclosure.Dimension{{Name: "source", Categories: []string{"City of Ejemplo"}}, {Name: "detention", Categories: []string{"detained", "not_detained"}}},
				Cells: []report.Cell{
					{Key: []string{"City of Ejemplo", "detained"}, Count: count(31)}, {Key: []string{"City of Ejemplo", "not_detained"}, Count: count(12)},
					{Key: []string{"City of Ejemplo", "*"}, Count: count(43)},
					{Key: []string{"*", "detained"}, Count: count(31)}, {Key: []string{"*", "not_detained"}, Count: count(12)}, {Key: []string{"*", "*"}, Count: count(43)}}},
			{Name: "fund-spent-detention", Metric: "fund.spent", Population: "money spent in the period on funded cases", MoneyOf: "fund-cases-detention",
				Unit: "per funded case with costs approved in the period",
				Dims: []disclosure.Dimension{{Name: "source", Categories: []string{"City of Ejemplo"}}, {Name: "detention", Categories: []string{"detained", "not_detained"}}},
				Cells: []report.Cell{
					{Key: []string{"City of Ejemplo", "detained"}, Cents: count(9_300_000), PerCents: count(300_000)},
					{Key: []string{"City of Ejemplo", "not_detained"}, Cents: count(1_200_050), PerCents: count(100_004), Unstable: true},
					{Key: []string{"City of Ejemplo", "*"}, Cents: count(10_500_050), PerCents: count(244_187)},
					{Key: []string{"*", "detained"}, Cents: count(9_300_000), PerCents: count(300_000)},
					{Key: []string{"*", "not_detained"}, Suppressed: true, Reason: "complementary"},
					{Key: []string{"*", "*"}, Cents: count(10_500_050), PerCents: count(244_187)}}},
			{Name: "fund-spent-detention-compliance", Metric: "fund.spent", Population: "money spent in the period on funded cases", ComplianceOf: "fund-spent-detention",
				Dims: []disclosure.Dimension{{Name: "source", Categories: []string{"City of Ejemplo", "Fundación Ficticia"}}},
				Cells: []report.Cell{{Key: []string{"City of Ejemplo"}, Percent: pc(88.6), Floor: floor(70), Met: &met},
					{Key: []string{"Fundación Ficticia"}, Floor: floor(50)}}},
		}}
}

var met = true

func floor(n int) *int { return &n }

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
		// The fund's money: each published sum and cost per case as the
		// CSV writes them (cents), the chart in dollars, and the
		// compliance share against its floor in words.
		for _, rec := range recs[1:] {
			if rec[10] == "" {
				continue
			}
			want := cat.T(lang, "report.cat."+rec[4]) + ": " + rec[10] + " " + cat.T(lang, "report.cents")
			if rec[2] != "*" {
				want = rec[2] + " · " + want
			}
			if rec[11] != "" {
				want += " (" + cat.T(lang, "report.each", rec[11]+" "+cat.T(lang, "report.cents")) + ")"
			}
			if rec[4] != "*" && !strings.Contains(text, want) {
				t.Errorf("%s: the PDF lacks the CSV's money %q", lang, want)
			}
		}
		for _, want := range []string{
			cat.T(lang, "report.cat.detained") + ": $93,000.00",
			"City of Ejemplo: " + cat.T(lang, "report.compliance.floor", "88.6", 70, cat.T(lang, "report.compliance.met")),
			"Fundación Ficticia: " + cat.T(lang, "report.compliance.nothing", 50),
			cat.T(lang, "report.unit", cat.T(lang, "report.table.fund-spent-detention.unit")),
		} {
			if lang == "es" {
				want = strings.Replace(want, "88.6", "88,6", 1)
			}
			want = strings.Join(strings.Fields(strings.TrimSuffix(want, ".")), " ")
			if !strings.Contains(text, want) {
				t.Errorf("%s: the PDF lacks %q", lang, want)
			}
		}
		if strings.Contains(text, "Abogados Ficticios: 0") || !strings.Contains(text, "Abogados Ficticios: "+cat.T(lang, "report.suppressed")) {
			t.Errorf("%s: a suppressed cell is not written as suppressed", lang)
		}
	}
}
