package report

import (
	"strconv"
	"time"

	"github.com/amparo-project/amparo/locale"
)

// Heading is a release's title in words, in lang, from its period's
// name: "Report for the third quarter of 2026 (July to September)", or
// for a month "Report for July 2026". A name it cannot read is kept.
func Heading(cat *locale.Catalog, lang, period string) string {
	return cat.T(lang, "report.period", periodWords(cat, lang, period))
}

// Dates is the release's first and last days in words, in lang.
func (d *Document) Dates(cat *locale.Catalog, lang string) string {
	return cat.T(lang, "report.dates", dayWords(cat, lang, d.From), dayWords(cat, lang, d.Until))
}

func periodWords(cat *locale.Catalog, lang, name string) string {
	t, err := time.Parse("2006-01", name)
	if err == nil {
		return cat.T(lang, "report.month", cat.T(lang, "date.month."+strconv.Itoa(int(t.Month()))), t.Year())
	}
	if len(name) == 7 && name[4:6] == "-Q" && name[6] >= '1' && name[6] <= '4' {
		if y, err := strconv.Atoi(name[:4]); err == nil {
			return cat.T(lang, "report.quarter."+name[6:], y)
		}
	}
	return name
}

func dayWords(cat *locale.Catalog, lang, day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return cat.Date(lang, t)
}
