package intake_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvimport"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/priority"
)

var today = time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)

// answers are, for every question, answers that between them fill every
// fact the question names. A question added without answers here fails.
var answers = map[string][]func(*amparo.Applicant){
	"situation": {
		func(a *amparo.Applicant) { a.Situation = amparo.SituationTPS },
		func(a *amparo.Applicant) { a.Situation = amparo.SituationAsylum },
		func(a *amparo.Applicant) { a.Situation = amparo.SituationDACA },
	},
	"tps_country":         {func(a *amparo.Applicant) { a.TPSCountry = "SV" }},
	"country_of_birth":    {func(a *amparo.Applicant) { a.CountryOfBirth = "SV" }},
	"facing_removal":      {func(a *amparo.Applicant) { a.FacingRemoval = true }},
	"next_hearing":        {func(a *amparo.Applicant) { a.NextHearing = amparo.Date{Time: today.AddDate(0, 0, 20)} }},
	"detained":            {func(a *amparo.Applicant) { a.Detained = true }},
	"unaccompanied_minor": {func(a *amparo.Applicant) { a.UnaccompaniedMinor = true }},
	"survivor":            {func(a *amparo.Applicant) { a.Survivor = true }},
	"unhoused":            {func(a *amparo.Applicant) { a.Unhoused = true }},
}

// TestQuestions_CoverThePolicy: every fact the policy language knows is
// asked by a question of the forms and the CSV template (or deliberately
// not asked), and each question's answers fill exactly the facts it names.
func TestQuestions_CoverThePolicy(t *testing.T) {
	filled := map[string]bool{}
	columns := csvimport.Columns()
	for _, q := range intake.Questions {
		if !slices.Contains(columns, q.Column) {
			t.Errorf("question %s: the CSV template has no column %q", q.Field, q.Column)
		}
		set, ok := answers[q.Field]
		if !ok {
			t.Errorf("question %s: no answers in this test", q.Field)
		}
		got := map[string]bool{}
		for _, answer := range set {
			a := &amparo.Applicant{}
			answer(a)
			for _, f := range intake.ScoredFacts(a, today) {
				got[f] = true
			}
		}
		for _, f := range q.Facts {
			if !got[f] {
				t.Errorf("question %s: no answer fills %s", q.Field, f)
			}
			delete(got, f)
			filled[f] = true
		}
		if len(got) > 0 {
			t.Errorf("question %s fills facts it does not name: %v", q.Field, got)
		}
	}
	for _, f := range priority.KnownFacts() {
		if !filled[f.Name] && intake.NotAsked[f.Name] == "" {
			t.Errorf("the policy knows %q, but no form or CSV column asks it (add it to intake.Questions)", f.Name)
		}
	}
}

// TestScoredFacts_NothingAnswered: unanswered is never a scored fact.
func TestScoredFacts_NothingAnswered(t *testing.T) {
	a := &amparo.Applicant{Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Ana Ejemplo", Language: "es", Situation: amparo.SituationUnknown}}}
	if got := intake.ScoredFacts(a, today); len(got) != 0 {
		t.Fatalf("an applicant who answered nothing has %v", got)
	}
}

// TestImport_RequiredColumnsOnly: a template row with only the required
// fields imports, and records no scored fact.
func TestImport_RequiredColumnsOnly(t *testing.T) {
	db, ctx, org := store(t)
	header, _, _ := strings.Cut(string(csvimport.Template("en")), "\r\n")
	cols := strings.Split(strings.TrimPrefix(header, "\ufeff"), ",")
	row := make([]string, len(cols))
	for i, c := range cols {
		switch c {
		case "legal_name":
			row[i] = "Ana Ejemplo Muestra"
		case "preferred_language":
			row[i] = "es"
		}
	}
	file := header + "\r\n" + strings.Join(row, ",") + "\r\n"
	rep, err := intake.Import(ctx, db, bytes.NewBufferString(file), intake.Options{OrganizationID: org, KeySecret: secret})
	if err != nil || rep.Created != 1 || len(rep.Errors) != 0 {
		t.Fatalf("import: %+v, %v", rep, err)
	}
	as, _, err := db.FindApplicants(ctx, amparo.ApplicantFilter{})
	if err != nil || len(as) != 1 {
		t.Fatal(err)
	}
	if got := intake.ScoredFacts(as[0], today); len(got) != 0 {
		t.Fatalf("scored facts recorded from a row that gave none: %v", got)
	}
}

func TestCountries_ByNameInTheReadersLanguage(t *testing.T) {
	name := func(lang, code string) string {
		for _, c := range intake.Countries(lang) {
			if c.Code == code {
				return c.Name
			}
		}
		return ""
	}
	if en, es := name("en", "HT"), name("es", "HT"); en != "Haiti" || es != "Haití" {
		t.Fatalf("Haiti: en %q, es %q", en, es)
	}
	es := intake.Countries("es")
	if i, j := slices.IndexFunc(es, func(c intake.Country) bool { return c.Code == "SV" }), slices.IndexFunc(es, func(c intake.Country) bool { return c.Code == "EC" }); i < 0 || j < 0 || j > i {
		t.Fatalf("Spanish order: Ecuador at %d, El Salvador at %d", j, i)
	}
	for _, c := range es {
		if c.Code == "DD" || c.Code == "EU" {
			t.Fatalf("%s is not a country", c.Code)
		}
	}
}
