package screening_test

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/screening"
)

// pair is a labelled row of testdata/company_pairs.csv.
type pair struct {
	line         int
	a, b         screening.Company
	match        bool
	category     string
	sharesAnID   bool
	nameA, nameB string
}

func loadPairs(tb testing.TB) []pair {
	tb.Helper()
	f, err := os.Open("testdata/company_pairs.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	ids := func(line int, s string) []screening.CompanyID {
		var out []screening.CompanyID
		for _, x := range strings.Split(s, ";") {
			if x == "" {
				continue
			}
			kind, v, _ := strings.Cut(x, ":")
			id, err := screening.ParseCompanyID(screening.CompanyIDKind(kind), v)
			if err != nil {
				tb.Fatalf("line %d: %v", line, err)
			}
			out = append(out, id)
		}
		return out
	}
	var out []pair
	for i, r := range rows[1:] {
		line := i + 2
		p := pair{line: line, nameA: r[0], nameB: r[1], match: r[2] == "match", category: r[3]}
		if r[2] != "match" && r[2] != "no_match" {
			tb.Fatalf("line %d: label %q", line, r[2])
		}
		p.a = screening.Company{Names: []string{r[0]}, IDs: ids(line, r[4])}
		p.b = screening.Company{Names: []string{r[1]}, IDs: ids(line, r[5])}
		for _, x := range p.a.IDs {
			for _, y := range p.b.IDs {
				p.sharesAnID = p.sharesAnID || x == y
			}
		}
		out = append(out, p)
	}
	return out
}

// TestCompanyPairs_PrecisionRecall: at the default threshold (a hit shown
// for review: possible or match) the matcher finds the labelled matches and
// little else.
func TestCompanyPairs_PrecisionRecall(t *testing.T) {
	pairs := loadPairs(t)
	if len(pairs) < 400 {
		t.Fatalf("%d pairs: the benchmark has at least 400", len(pairs))
	}
	var tp, fp, fn, tn, tpSure, fpSure int
	for _, p := range pairs {
		r := screening.CompareCompanies(p.a, p.b)
		hit := r.Decision != screening.MatchNo
		switch {
		case hit && p.match:
			tp++
		case hit:
			fp++
			t.Logf("line %d false positive (%s): %q / %q: %.2f", p.line, p.category, p.nameA, p.nameB, r.Score)
		case p.match:
			fn++
			t.Logf("line %d missed (%s): %q / %q: %.2f", p.line, p.category, p.nameA, p.nameB, r.Score)
		default:
			tn++
		}
		if r.Decision == screening.MatchYes {
			if p.match {
				tpSure++
			} else {
				fpSure++
			}
		}
	}
	precision, recall := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
	t.Logf("%d pairs at %.2f (%s): precision %.3f, recall %.3f (tp %d, fp %d, fn %d, tn %d); decided match at %.2f: precision %.3f, recall %.3f",
		len(pairs), screening.PossibleThreshold, screening.MatchAlgorithm, precision, recall, tp, fp, fn, tn,
		screening.MatchThreshold, float64(tpSure)/float64(tpSure+fpSure), float64(tpSure)/float64(tp+fn))
	if precision < 0.95 || recall < 0.95 {
		t.Errorf("precision %.3f, recall %.3f: both must be at least 0.95", precision, recall)
	}
}

// TestCompanyPairs_EveryIdentifierMatchFound: a shared identifier is a
// match whatever the names.
func TestCompanyPairs_EveryIdentifierMatchFound(t *testing.T) {
	n := 0
	for _, p := range loadPairs(t) {
		if !p.sharesAnID {
			continue
		}
		n++
		r := screening.CompareCompanies(p.a, p.b)
		if r.Decision != screening.MatchYes || r.Score != 1 || !strings.HasPrefix(r.Features[0].Key, "screen.match.id_same.") {
			t.Errorf("line %d: %q / %q share an identifier: %v %.2f %v", p.line, p.nameA, p.nameB, r.Decision, r.Score, r.Features)
		}
	}
	if n < 5 {
		t.Fatalf("%d pairs share an identifier: want several", n)
	}
}

// TestCompanyPairs_GenericWordsNeverDecide: no pair whose names share only
// generic words is shown as a match or a possible one.
func TestCompanyPairs_GenericWordsNeverDecide(t *testing.T) {
	n := 0
	for _, p := range loadPairs(t) {
		if p.category != "generic_only" && p.category != "generic_shared" {
			continue
		}
		n++
		if r := screening.CompareCompanies(p.a, p.b); r.Decision != screening.MatchNo {
			t.Errorf("line %d: %q / %q share only generic words, decided %v (%.2f)", p.line, p.nameA, p.nameB, r.Decision, r.Score)
		}
	}
	if n < 40 {
		t.Fatalf("%d generic pairs: want more", n)
	}
}

// TestCompareCompanies_FeaturesInCatalog: every feature of every pair has
// words in English and Spanish, with as many arguments as they use.
func TestCompareCompanies_FeaturesInCatalog(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range loadPairs(t) {
		for _, f := range screening.CompareCompanies(p.a, p.b).Features {
			for _, lang := range []string{"en", "es"} {
				s := cat.T(lang, f.Key, f.Args...)
				if s == f.Key || strings.Contains(s, "%!") {
					t.Errorf("line %d: %s in %s: %q", p.line, f.Key, lang, s)
				}
			}
			seen[f.Key] = true
		}
	}
	for _, k := range []string{"name_equivalent", "legal_ignored", "connector_ignored", "number_differs", "initials_differ",
		"generic_only", "acronym", "id_same.uei", "word_typo", "abbreviation",
		"word_typo_weak", "typo_weak", "word_initials", "words_differ", "place_differs", "legal_differs", "number_one_side",
		"word_joined", "initials_only"} {
		if !seen["screen.match."+k] {
			t.Errorf("no pair explains itself with screen.match.%s", k)
		}
	}
}

// TestCompareNames_Rules: each rule of amparo-company-2 and -3 decides and
// explains itself.
func TestCompareNames_Rules(t *testing.T) {
	for _, c := range []struct {
		a, b    string
		want    screening.MatchDecision
		feature string // a key the explanation must hold
	}{
		{"Durango Plains Logistics", "Furango Plains Logistics", screening.MatchPossible, "word_typo_weak"},
		{"Huerta Salcido Montes Ingeniería", "Huerta Salzedo Montes Ingeniería", screening.MatchPossible, "typo_weak"},
		{"Vega Builders", "Veda Builders", screening.MatchNo, "word_typo_weak"},
		{"Tularosa Grading LLC", "Tularosa Trading LLC", screening.MatchNo, "words_differ"},
		{"Southwest Valley Constructors Co.", "Suthwest Valley Constructors Co.", screening.MatchYes, "word_typo"},
		{"Ocotillo Fencing Company", "Cotillo Fencing Company", screening.MatchYes, "word_typo"},
		{"U.S. Quetzal Paving Inc.", "United States Quetzal Paving Inc.", screening.MatchYes, "word_initials"},
		{"Kestrel Paving", "Kestrel Fencing", screening.MatchNo, "words_differ"},
		{"Grupo Tecolote S.A. de C.V.", "Tecolote Construcciones S.A. de C.V.", screening.MatchPossible, "generic_missing"}, // "Grupo" organises: no words_differ
		{"Ironwood Fabrication Texas LLC", "Ironwood Fabrication Arizona LLC", screening.MatchNo, "place_differs"},
		{"Faberlane Logistics", "Faberlane Logistics Europe Sp. z o.o.", screening.MatchYes, "generic_missing"},
		{"Cobalt Mesa Capital L.P.", "Cobalt Mesa Capital LLC", screening.MatchPossible, "legal_differs"},
		{"Tecolote Ingeniería Ltda.", "Tecolote Ingeniería S.A.", screening.MatchYes, "legal_differs"},
		{"Quetzal Paving Fund", "Quetzal Paving Fund II", screening.MatchNo, "number_one_side"},
		{"Citlali Capital Trust I", "Citlali Capital Trust II", screening.MatchNo, "number_differs"},
		{"Saguaro Earthworks Incorproated", "Saguaro Earthworks Inc.", screening.MatchYes, "legal_ignored"},
		// amparo-company-3
		{"ООО Кестрел", "OOO Kestrel", screening.MatchYes, "name_equivalent"},
		{"Σαλαμίνα Τεχνική", "Salamina Techniki", screening.MatchYes, "name_equivalent"},
		{"Ibarra Holdings d/b/a Quetzal Paving", "Quetzal Paving LLC", screening.MatchYes, "name_equivalent"},
		{"Al-Ruelas/Zapata Contratistas", "Al Ruelas", screening.MatchYes, "name_equivalent"},
		{"Saguaro Corp", "SaguaroCorp", screening.MatchYes, "word_joined"},
		{"Andrang Heta Builders", "Ndrangheta Builders", screening.MatchYes, "word_typo"},
		{"Lun Dor Builders", "Lundorf Builders", screening.MatchNo, "word_missing"},
		{"Hon Tam Precision Castings", "Hon Tan Precision Castings", screening.MatchPossible, "word_typo_weak"},
		{"ZRQ Builders", "ZRS Builders", screening.MatchNo, "word_missing"},
		{"Lindqvist Marrow AG", "Lindqvist Marrow AkG", screening.MatchPossible, "word_typo_weak"},
		{"Asociación Civil Luminar", "Luminar S.A. de C.V.", screening.MatchNo, "legal_differs"},
		{"Cobalt Mesa Opportunity Fund, Ltd.", "Cobalt Mesa Opportunity Fund I, Ltd.", screening.MatchPossible, "number_one_side"},
		{"QPC Mexico", "Quetzal Paving Company", screening.MatchPossible, "acronym"},
		{"R & T Texas LLC", "R & T Calloway Texas LLC", screening.MatchNo, "initials_only"},
		{"State Construction Services", "State Construction Services", screening.MatchNo, "generic_only"},
		{"U.K. Copperline Steel Corp.", "United States Copperline Steel Corp.", screening.MatchNo, "initials_differ"},
		{"U.S. Copperline Steel", "United States Copperline Steel Corp.", screening.MatchYes, "word_initials"},
		// amparo-company-4
		{"First Choice Paving", "1st Choice Paving", screening.MatchYes, "number_same"},
		{"Segunda Avenida Constructora S.A.", "2a Avenida Constructora S.A.", screening.MatchYes, "number_same"},
		{"Second Avenue Builders", "Third Avenue Builders", screening.MatchNo, "number_differs"},
	} {
		for _, r := range []screening.Result{screening.CompareNames(c.a, c.b), screening.CompareNames(c.b, c.a)} {
			has := false
			for _, f := range r.Features {
				has = has || f.Key == "screen.match."+c.feature
			}
			if r.Decision != c.want || !has {
				t.Errorf("%q / %q: %v (%.2f) %v; want %v with %s", c.a, c.b, r.Decision, r.Score, r.Features, c.want, c.feature)
			}
		}
	}
}
