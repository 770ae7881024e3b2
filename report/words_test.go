package report

import (
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// A release's period and days read in words in the reader's language,
// never as "2026-Q3" and ISO dates.
func TestHeadingAndDates(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	doc := &Document{Period: "2026-Q3", From: "2026-07-01", Until: "2026-10-01"}
	for _, c := range []struct{ lang, period, want string }{
		{"en", "2026-Q3", "Report for the third quarter of 2026 (July to September)"},
		{"es", "2026-Q3", "Informe sobre el tercer trimestre de 2026 (julio a septiembre)"},
		{"en", "2026-Q1", "Report for the first quarter of 2026 (January to March)"},
		{"en", "2026-07", "Report for July 2026"},
		{"es", "2026-07", "Informe sobre julio de 2026"},
		{"en", "2026-Q9", "Report for 2026-Q9"},
	} {
		if got := Heading(cat, c.lang, c.period); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.lang, c.period, got, c.want)
		}
	}
	if got, want := doc.Dates(cat, "es"), "Desde el 1 de julio de 2026 hasta el 1 de octubre de 2026 (sin incluirlo)."; got != want {
		t.Errorf("dates: %q, want %q", got, want)
	}
}

// Categories read in words in the reader's language, the same on the
// pages and in the PDF: a priority group by its rule's name (the PDF
// wrote "tps-facing-removal" and "unknown"), names of organizations as
// they are.
func TestCategory(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dim, cat, want string }{
		{amparo.DimGroup, "tps-facing-removal", "Tiene TPS y enfrenta la deportación"},
		{amparo.DimGroup, amparo.UnknownPriorityGroup, cat.T("es", "report.cat.unknown")},
		{amparo.DimGroup, "a-rule-the-catalog-lacks", "a-rule-the-catalog-lacks"},
		{amparo.DimLanguage, "es", cat.T("es", "language.es")},
		{amparo.DimLanguage, "zz", "zz"},
		{amparo.DimDetention, "detained", cat.T("es", "report.cat.detained")},
		{amparo.DimOrganization, "Centro Legal Ejemplo", "Centro Legal Ejemplo"},
	} {
		if got := Category(cat, "es", c.dim, c.cat); got != c.want || got == "" {
			t.Errorf("%s %q: %q, want %q", c.dim, c.cat, got, c.want)
		}
	}
}
