package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/names"
)

func runNames(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"compare": {`"NAME A" "NAME B" [--kind person|company] [--dob-a DATE] [--dob-b DATE] [--id-a KIND:VALUE] [--id-b KIND:VALUE] [--lang en|es] [--json]`,
			"compare two names as the conflict check (person) or the procurement screening (company) does, and say why", namesCompare},
	})
}

// namesCompareJSON is what `names compare --json` prints; scripts rely on
// its names.
type namesCompareJSON struct {
	A        names.Name     `json:"a"`
	B        names.Name     `json:"b"`
	Score    float64        `json:"score"`
	Decision names.Decision `json:"decision"`
	Reasons  []reasonJSON   `json:"reasons"`
}

// reasonJSON is a reason with its catalog key and its words in English
// and Spanish, as scripts read them.
type reasonJSON struct {
	Code   string `json:"code"`
	Effect string `json:"effect"`
	Key    string `json:"key"`
	En     string `json:"en"`
	Es     string `json:"es"`
}

// namesCompare needs no database: it compares what it is given.
func namesCompare(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("names compare")
	dobA := fs.String("dob-a", "", "date of birth of A, `YYYY-MM-DD` or MM/DD/YYYY")
	dobB := fs.String("dob-b", "", "date of birth of B, `YYYY-MM-DD` or MM/DD/YYYY")
	lang := fs.String("lang", "en", "language of the explanation: en or es")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	kind := fs.String("kind", "person", "what the names name: `person` or company")
	idA := fs.String("id-a", "", "an identifier of company A, `KIND:VALUE` (uei, duns, ein, ca_license, state_reg)")
	idB := fs.String("id-b", "", "an identifier of company B, `KIND:VALUE`")
	pos, err := m.parseArgs(fs, args, 2)
	if err != nil {
		return err
	}
	switch *kind {
	case "company":
		return namesCompareCompany(m, pos, *idA, *idB, *lang, *asJSON)
	case "person":
		if *idA != "" || *idB != "" {
			fmt.Fprintln(m.Stderr, "amparo names compare: --id-a and --id-b are for --kind company")
			return errUsage
		}
	default:
		fmt.Fprintf(m.Stderr, "amparo names compare: --kind %q: write person or company\n", *kind)
		return errUsage
	}
	if len(pos) != 2 || strings.TrimSpace(pos[0]) == "" || strings.TrimSpace(pos[1]) == "" {
		fmt.Fprintln(m.Stderr, `amparo names compare: give two names, each in quotes: amparo names compare "NAME A" "NAME B" (run amparo names compare --help)`)
		return errUsage
	}
	var dates [2]time.Time
	for i, s := range []string{*dobA, *dobB} {
		if dates[i], err = parseBirthDate(s); err != nil {
			fmt.Fprintf(m.Stderr, "amparo names compare: --dob-%c %q: %v\n", 'a'+i, s, err)
			return errUsage
		}
	}
	a, b := names.NewPerson(pos[0], dates[0]), names.NewPerson(pos[1], dates[1])
	r := names.Score(a, b)
	cat, err := locale.Load()
	if err != nil {
		return err
	}
	if *asJSON {
		out := namesCompareJSON{A: a.Name, B: b.Name, Score: r.Score, Decision: r.Decision, Reasons: []reasonJSON{}}
		for _, x := range r.Reasons {
			out.Reasons = append(out.Reasons, reasonJSON{x.Code, x.Effect, x.Key, cat.T("en", x.Key, x.Args...), cat.T("es", x.Key, x.Args...)})
		}
		return m.printJSON(out)
	}
	es := strings.HasPrefix(*lang, "es")
	decision, label := r.Decision.String(), [5]string{"Decision", "Score", "A read as", "B read as", "match from %.2f, possible from %.2f"}
	if es {
		decision, label = r.Decision.Spanish(), [5]string{"Decisión", "Puntuación", "A se lee", "B se lee", "coincide desde %.2f, posible desde %.2f"}
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "%s\t%s\n", label[0], strings.ToUpper(decision))
	fmt.Fprintf(w, "%s\t%.2f ("+label[4]+")\n", label[1], r.Score, names.MatchAt, names.PossibleAt)
	fmt.Fprintf(w, "%s\t%s\n", label[2], describe(a.Name, es))
	fmt.Fprintf(w, "%s\t%s\n", label[3], describe(b.Name, es))
	w.Flush()
	if es {
		fmt.Fprintln(m.Stdout, "\nPor qué:")
	} else {
		fmt.Fprintln(m.Stdout, "\nWhy:")
	}
	sign := map[string]string{"for": "+", "against": "-", "neutral": "·"}
	for _, x := range r.Reasons {
		fmt.Fprintf(m.Stdout, "  %s %s\n", sign[x.Effect], cat.T(cat.Match(*lang, ""), x.Key, x.Args...))
	}
	return nil
}

// describe shows how a name was read: given names, then surnames.
func describe(n names.Name, es bool) string {
	join := func(ws []names.Word) string {
		s := make([]string, len(ws))
		for i, w := range ws {
			s[i] = w.Orig
		}
		if len(s) == 0 {
			return "—"
		}
		return strings.Join(s, " ")
	}
	if es {
		return "nombre(s) " + join(n.Given) + "; apellido(s) " + join(n.Surnames)
	}
	return "given " + join(n.Given) + "; surname(s) " + join(n.Surnames)
}

// parseBirthDate reads a date in ISO (1980-03-04) or US (03/04/1980) form;
// "" is an unknown date.
func parseBirthDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02", "01/02/2006", "1/2/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 || t.After(time.Now()) {
				return time.Time{}, fmt.Errorf("not a date of birth")
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date: write it YYYY-MM-DD or MM/DD/YYYY")
}
