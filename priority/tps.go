package priority

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Designation is one country's Temporary Protected Status designation as the
// program knows it: when it ends (the date the current designation, extension
// or termination takes effect) and where that date comes from.
type Designation struct {
	Country string    // ISO 3166-1 alpha-2, upper case, e.g. "SV"
	Name    string    // e.g. "El Salvador"
	End     time.Time // a date, midnight UTC
	Source  string
	Line    int
}

// TPSTable is the table of TPS designations, with the date it was last
// checked.
type TPSTable struct {
	AsOf         time.Time
	Designations []Designation // sorted by country code
	byCountry    map[string]int
}

//go:embed tps.txt
var tpsText string

// DefaultTPSText is the text of the shipped TPS table, to edit.
func DefaultTPSText() string { return tpsText }

// DefaultTPSTable returns the table shipped with Amparo (priority/tps.txt).
// The program office edits its own copy; dates change with every Federal
// Register notice and court order.
func DefaultTPSTable() *TPSTable {
	t, err := ParseTPSTable(tpsText)
	if err != nil {
		panic("priority: embedded tps.txt: " + err.Error())
	}
	return t
}

// Lookup returns the designation of a country by its ISO code.
func (t *TPSTable) Lookup(country string) (Designation, bool) {
	if t == nil {
		return Designation{}, false
	}
	i, ok := t.byCountry[strings.ToUpper(country)]
	if !ok {
		return Designation{}, false
	}
	return t.Designations[i], true
}

// ParseTPSTable parses a table written as
//
//	as-of 2025-07-15
//	tps SV "El Salvador" ends 2026-09-09 source "Federal Register, January 2025"
//
// with # comments. Errors name the line, column and reason, as for policies.
func ParseTPSTable(src string) (*TPSTable, error) {
	t := &TPSTable{byCountry: map[string]int{}}
	var errs ErrorList
	fail := func(ln, col int, m Message) { errs = append(errs, perr(ln, col, m)) }
	asOfLine := 0
	lines := map[string]int{}
	eachLine(src, &errs, func(ln int, toks []token) {
		kw := toks[0]
		switch {
		case kw.kind == tokWord && kw.text == "as-of":
			if asOfLine != 0 {
				fail(ln, kw.col, msg("policy.err.asof_twice", asOfLine))
				return
			}
			if len(toks) != 2 {
				fail(ln, kw.end, msg("policy.err.asof_expected"))
				return
			}
			d, err := time.Parse(time.DateOnly, toks[1].text)
			if err != nil || toks[1].kind != tokWord {
				fail(ln, toks[1].col, msg("policy.err.date", toks[1].text))
				return
			}
			asOfLine, t.AsOf = ln, d
		case kw.kind == tokWord && kw.text == "tps":
			// tps CODE "Name" ends DATE source "Source"
			want := []tokKind{tokWord, tokWord, tokString, tokWord, tokWord, tokWord, tokString}
			what := []Message{msg("policy.tps.tps"), msg("policy.tps.code"), msg("policy.tps.name"), msg("policy.tps.ends"), msg("policy.tps.date"), msg("policy.tps.source"), msg("policy.tps.source_text")}
			for i, k := range want {
				if i >= len(toks) {
					fail(ln, toks[len(toks)-1].end, msg("policy.err.expected", what[i]))
					return
				}
				if toks[i].kind != k || (i == 3 && toks[i].text != "ends") || (i == 5 && toks[i].text != "source") {
					fail(ln, toks[i].col, msg("policy.err.expected_not", what[i], toks[i].text))
					return
				}
			}
			if len(toks) > len(want) {
				fail(ln, toks[len(want)].col, msg("policy.err.after_source", toks[len(want)].text))
				return
			}
			d := Designation{Country: toks[1].text, Name: toks[2].text, Source: toks[6].text, Line: ln}
			if len(d.Country) != 2 || d.Country[0] < 'A' || d.Country[0] > 'Z' || d.Country[1] < 'A' || d.Country[1] > 'Z' {
				fail(ln, toks[1].col, msg("policy.err.country_code", d.Country))
				return
			}
			if first, dup := lines[d.Country]; dup {
				fail(ln, toks[1].col, msg("policy.err.country_twice", d.Country, first))
				return
			}
			if m := checkText(d.Name, 80); m.Key != "" {
				fail(ln, toks[2].col, msg("policy.err.country_name", m))
				return
			}
			end, err := time.Parse(time.DateOnly, toks[4].text)
			if err != nil {
				fail(ln, toks[4].col, msg("policy.err.date", toks[4].text))
				return
			}
			d.End = end
			if m := checkText(d.Source, maxTextLen); m.Key != "" {
				fail(ln, toks[6].col, msg("policy.err.source_text", m))
				return
			}
			lines[d.Country] = ln
			t.Designations = append(t.Designations, d)
		default:
			fail(ln, kw.col, msg("policy.err.tps_line_start", kw.text))
		}
	})
	if len(errs) == 0 && asOfLine == 0 {
		fail(1, 1, msg("policy.err.asof_missing"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	sort.Slice(t.Designations, func(i, j int) bool { return t.Designations[i].Country < t.Designations[j].Country })
	for i, d := range t.Designations {
		t.byCountry[d.Country] = i
	}
	return t, nil
}

// String writes the table back in its format.
func (t *TPSTable) String() string {
	var b strings.Builder
	b.WriteString("as-of " + t.AsOf.Format(time.DateOnly) + "\n")
	for _, d := range t.Designations {
		fmt.Fprintf(&b, "tps %s %s ends %s source %s\n", d.Country, quote(d.Name), d.End.Format(time.DateOnly), quote(d.Source))
	}
	return b.String()
}
