package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/fund"
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

// Category names a category of dimension dim in lang, as the pages and
// the PDF write it: languages by name, buckets and priority groups in
// words (a group by its rule's name where the catalog has it, as the
// queue does), organizations and sources by their own names.
func Category(cat *locale.Catalog, lang, dim, c string) string {
	switch {
	case IsTotal(c):
		return cat.T(lang, "report.total")
	case dim == amparo.DimLanguage || dim == "language_group":
		if c == "other" {
			return cat.T(lang, "report.cat.other")
		}
		if cat.Has("language." + c) {
			return cat.T(lang, "language."+c)
		}
	case dim == amparo.DimWaited || dim == amparo.DimAckTime || dim == amparo.DimDetention || dim == amparo.DimOutcome ||
		(dim == amparo.DimGroup && (c == amparo.NoPriorityGroup || c == amparo.UnknownPriorityGroup)):
		return cat.T(lang, "report.cat."+c)
	case dim == amparo.DimGroup && cat.Has("priority.rule."+c):
		return cat.T(lang, "priority.rule."+c)
	}
	return c
}

// Dollars writes cents as the fund's pages write money, "$1,234.56"
// (the amounts the fund's forms take, in both languages).
func Dollars(cat *locale.Catalog, lang string, cents int64) string {
	return cat.T(lang, "report.money", fund.FormatCents(cents))
}

// ValueWords is a money or compliance cell's value in words, and false
// for a cell of counts (or a suppressed one), which the caller writes:
// a sum ("$1,234.56", with its cost per case when published), or a
// compliance share with its floor and whether it was kept.
func ValueWords(cat *locale.Catalog, lang string, c Cell) (string, bool) {
	if c.Suppressed {
		return "", false
	}
	unstable := ""
	if c.Unstable {
		unstable = ", " + cat.T(lang, "report.unstable")
	}
	switch {
	case c.Cents != nil:
		s := Dollars(cat, lang, *c.Cents)
		if c.PerCents != nil {
			s += " (" + cat.T(lang, "report.each", Dollars(cat, lang, *c.PerCents)) + unstable + ")"
		}
		return s, true
	case c.Floor != nil && c.Percent == nil:
		return cat.T(lang, "report.compliance.nothing", *c.Floor), true
	case c.Floor != nil:
		share := strconv.FormatFloat(*c.Percent, 'f', 1, 64)
		if lang == "es" {
			share = strings.Replace(share, ".", ",", 1)
		}
		key := "report.compliance.floor"
		if c.Ceiling {
			key = "report.compliance.ceiling"
		}
		kept := cat.T(lang, "report.compliance.met")
		if !*c.Met {
			kept = cat.T(lang, "report.compliance.not_met")
		}
		return cat.T(lang, key, share, *c.Floor, kept) + unstable, true
	}
	return "", false
}

// BarValue is what a cell's bar measures: its count, its dollars, or
// its share; false when nothing is published.
func BarValue(c Cell) (int64, bool) {
	switch {
	case c.Count != nil:
		return *c.Count, true
	case c.Cents != nil:
		return *c.Cents / 100, true
	case c.Floor != nil && c.Percent != nil:
		return int64(*c.Percent), true
	}
	return 0, false
}
