package main

import (
	"errors"

	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/amparo-project/amparo"

	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/screening"
)

// companyCompareJSON is what `names compare --kind company --json` prints;
// scripts rely on its names.
type companyCompareJSON struct {
	Kind      string                  `json:"kind"`
	Algorithm string                  `json:"algorithm"`
	A         string                  `json:"a"`
	B         string                  `json:"b"`
	Score     float64                 `json:"score"`
	Decision  screening.MatchDecision `json:"decision"`
	Features  []featureJSON           `json:"features"`
}

// featureJSON is a feature with its catalog key, its weight and its words
// in English and Spanish.
type featureJSON struct {
	Key    string  `json:"key"`
	Weight float64 `json:"weight"`
	En     string  `json:"en"`
	Es     string  `json:"es"`
}

// namesCompareCompany compares two company names (and identifiers, if
// given) as the procurement screening does. No database: one call to the
// matcher.
func namesCompareCompany(m *Main, pos []string, idA, idB, lang string, asJSON bool) error {
	cat, err := locale.Load()
	if err != nil {
		return err
	}
	lang = cat.Match(lang, "")
	if len(pos) != 2 || strings.TrimSpace(pos[0]) == "" || strings.TrimSpace(pos[1]) == "" {
		fmt.Fprintln(m.Stderr, "amparo names compare: "+cat.T(lang, "screen.match.cli.usage"))
		return errUsage
	}
	a, b := screening.Company{Names: []string{pos[0]}}, screening.Company{Names: []string{pos[1]}}
	for i, s := range []string{idA, idB} {
		if s == "" {
			continue
		}
		k, v, _ := strings.Cut(s, ":")
		id, err := screening.ParseCompanyID(screening.CompanyIDKind(strings.ToLower(k)), v)
		if err != nil {
			fmt.Fprintf(m.Stderr, "amparo names compare: --id-%c %q: %s\n", 'a'+i, s, localized(cat, lang, err))
			return errUsage
		}
		if i == 0 {
			a.IDs = []screening.CompanyID{id}
		} else {
			b.IDs = []screening.CompanyID{id}
		}
	}
	r := screening.CompareCompanies(a, b)
	if asJSON {
		out := companyCompareJSON{Kind: "company", Algorithm: screening.MatchAlgorithm, A: pos[0], B: pos[1],
			Score: r.Score, Decision: r.Decision, Features: []featureJSON{}}
		for _, f := range r.Features {
			out.Features = append(out.Features, featureJSON{f.Key, f.Weight, cat.T("en", f.Key, f.Args...), cat.T("es", f.Key, f.Args...)})
		}
		return m.printJSON(out)
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "%s\t%s\n", cat.T(lang, "screen.match.cli.decision"), strings.ToUpper(cat.T(lang, r.Decision.Key())))
	fmt.Fprintf(w, "%s\t%.2f (%s)\n", cat.T(lang, "screen.match.cli.score"), r.Score, cat.T(lang, "screen.match.cli.thresholds",
		fmt.Sprintf("%.2f", screening.MatchThreshold), fmt.Sprintf("%.2f", screening.PossibleThreshold), screening.MatchAlgorithm))
	w.Flush()
	fmt.Fprintln(m.Stdout, "\n"+cat.T(lang, "screen.match.cli.why"))
	for _, f := range r.Features {
		sign := "·"
		switch {
		case f.Weight > 0.0005:
			sign = "+"
		case f.Weight < -0.0005:
			sign = "-"
		}
		fmt.Fprintf(m.Stdout, "  %s %s\n", sign, cat.T(lang, f.Key, f.Args...))
	}
	return nil
}

// localized is err in lang when it carries a catalog key.
func localized(cat *locale.Catalog, lang string, err error) string {
	var e *amparo.Error
	if errors.As(err, &e) && e.Key != "" {
		return cat.T(lang, e.Key, e.Args...)
	}
	return err.Error()
}
