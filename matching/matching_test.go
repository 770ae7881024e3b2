package matching

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/locale"
)

func TestPropose_Constraints(t *testing.T) {
	es := Applicant{ID: "a-es", Weight: 5, Language: "es", Area: "Boyle Heights"}
	ht := Applicant{ID: "a-ht", Weight: 5, Language: "ht", Area: "Boyle Heights"}
	htOK := Applicant{ID: "a-ht-interp", Weight: 5, Language: "ht", Area: "Boyle Heights", InterpreterOK: true}
	for _, tt := range []struct {
		name    string
		p       Problem
		want    string // applicant=member, space-separated, in applicant order
		waiting string // a reason that must appear for the first applicant left waiting
	}{
		{"Language", Problem{Applicants: []Applicant{es, ht}, Members: []Member{{ID: "m1", Languages: []string{"en", "es"}, Areas: []string{"Boyle Heights"}, Capacity: 5}}},
			"a-es=m1", "No member who serves Boyle Heights speaks Haitian Creole, and the applicant has not accepted an interpreter."},
		{"InterpreterNeedsBoth", Problem{Applicants: []Applicant{htOK, ht}, Members: []Member{{ID: "m1", Languages: []string{"es"}, Areas: []string{"Boyle Heights"}, Capacity: 5, Interpreter: true}}},
			"a-ht-interp=m1", "has not accepted an interpreter"},
		{"Area", Problem{Applicants: []Applicant{es}, Members: []Member{{ID: "m1", Languages: []string{"es"}, Areas: []string{"Pacoima"}, Capacity: 5}}},
			"", "No member serves Boyle Heights."},
		{"EveryArea", Problem{Applicants: []Applicant{es}, Members: []Member{{ID: "m1", Languages: []string{"es"}, Areas: []string{"*"}, Capacity: 5}}},
			"a-es=m1", ""},
		{"Conflict", Problem{Applicants: []Applicant{es}, Members: []Member{{ID: "m1", Languages: []string{"es"}, Areas: []string{"*"}, Capacity: 5}}, Conflicts: []Conflict{{"a-es", "m1"}}},
			"", "Every member who serves Boyle Heights and speaks Spanish (or works with an interpreter) has a recorded conflict."},
		{"ConflictGoesElsewhere", Problem{Applicants: []Applicant{es}, Members: []Member{{ID: "m1", Languages: []string{"es"}, Areas: []string{"*"}, Capacity: 5}, {ID: "m2", Languages: []string{"es"}, Areas: []string{"*"}, Capacity: 1}}, Conflicts: []Conflict{{"a-es", "m1"}}},
			"a-es=m2", ""},
		{"NoRoom", Problem{Applicants: []Applicant{es}, Members: []Member{{ID: "m1", Languages: []string{"es"}, Areas: []string{"*"}}}},
			"", "The 1 members who could take this case have no room."},
		{"CapacityToHigherWeight", Problem{Applicants: []Applicant{es, {ID: "a-es-urgent", Weight: 9, Language: "es", Area: "Boyle Heights"}}, Members: []Member{{ID: "m1", Languages: []string{"es"}, Areas: []string{"*"}, Capacity: 1}}},
			"a-es-urgent=m1", "would not raise the total priority served"},
		{"QueueOrderAmongEquals", Problem{Applicants: []Applicant{{ID: "first", Weight: 3, Language: "es", Area: "x"}, {ID: "second", Weight: 3, Language: "es", Area: "x"}}, Members: []Member{{ID: "m1", Languages: []string{"es"}, Areas: []string{"x"}, Capacity: 1}}},
			"first=m1", "would not raise"},
		{"NativeBeforeInterpreter", Problem{Applicants: []Applicant{htOK}, Members: []Member{{ID: "m-interp", Languages: []string{"es"}, Areas: []string{"*"}, Capacity: 1, Interpreter: true}, {ID: "m-kreyol", Languages: []string{"ht"}, Areas: []string{"*"}, Capacity: 1}}},
			"a-ht-interp=m-kreyol", ""},
		{"OrgCapacity", Problem{Applicants: []Applicant{es, {ID: "a-es-2", Weight: 5, Language: "es", Area: "Boyle Heights"}},
			Members:     []Member{{ID: "m1", OrgID: "o1", Languages: []string{"es"}, Areas: []string{"*"}, Capacity: 2}, {ID: "m2", OrgID: "o2", Languages: []string{"en"}, Areas: []string{"*"}, Capacity: 5}},
			OrgCapacity: map[string]int{"o1": 1}},
			"a-es=m1", "would not raise"},
		{"Limit", Problem{Applicants: []Applicant{es, {ID: "a-es-urgent", Weight: 9, Language: "es", Area: "Boyle Heights"}}, Members: []Member{{ID: "m1", Languages: []string{"es"}, Areas: []string{"*"}, Capacity: 5}}, Limit: 1},
			"a-es-urgent=m1", "The limit of 1 matches for this round is reached"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Propose(tt.p)
			if err != nil {
				t.Fatal(err)
			}
			check(t, tt.p, out)
			var got []string
			for _, m := range out.Matches {
				got = append(got, m.ApplicantID+"="+m.MemberID)
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("matches = %q, want %q", g, tt.want)
			}
			if tt.waiting != "" && (len(out.Waiting) == 0 || !strings.Contains(out.Waiting[0].Why.Text(catalog, "en"), tt.waiting)) {
				t.Errorf("waiting = %+v, want a reason with %q", out.Waiting, tt.waiting)
			}
		})
	}
}

func TestPropose_Why(t *testing.T) {
	p := Problem{
		Applicants: []Applicant{{ID: "a1", Weight: 7, Language: "ht", InterpreterOK: true, Area: "90011"}},
		Members:    []Member{{ID: "m1", Languages: []string{"es"}, Interpreter: true, Areas: []string{"90011"}, Capacity: 3}},
	}
	out, err := Propose(p)
	if err != nil || len(out.Matches) != 1 {
		t.Fatal(err, out)
	}
	want := "Through an interpreter: the member does not speak Haitian Creole; the applicant accepts an interpreter and the member works with one. " +
		"Serves 90011. Has room: this proposal gives the member 1 of 3 open places. No recorded conflict with this member. Priority weight 7"
	var got, es []string
	for _, r := range out.Matches[0].Why {
		got, es = append(got, r.Text(catalog, "en")), append(es, r.Text(catalog, "es"))
	}
	if got := strings.Join(got, ". "); got != want {
		t.Errorf("why:\n got %q\nwant %q", got, want)
	}
	wantES := "Con intérprete: el miembro no habla criollo haitiano; la persona acepta intérprete y el miembro trabaja con uno. " +
		"Atiende 90011. Tiene cupo: esta propuesta le da al miembro 1 de 3 lugares libres. Ningún conflicto registrado con este miembro. Peso de prioridad 7"
	if got := strings.Join(es, ". "); got != wantES {
		t.Errorf("why in Spanish:\n got %q\nwant %q", got, wantES)
	}
}

// catalog holds the words of the reasons.
var catalog = func() *locale.Catalog {
	c, err := locale.Load()
	if err != nil {
		panic(err)
	}
	return c
}()

// TestReason_Text: every reason a proposal gives has its words in every
// complete language, codes the catalog does not name are shown as they
// are, and a missing language or area is said so.
func TestReason_Text(t *testing.T) {
	p := Problem{
		Applicants: []Applicant{{ID: "a", Weight: 1, Language: "zz"}, {ID: "b", Weight: 1, Language: "", Area: "x"}},
		Members:    []Member{{ID: "m", Languages: []string{"zz"}, Areas: []string{"*"}, Capacity: 1}},
	}
	out, err := Propose(p)
	if err != nil || len(out.Matches) != 1 || len(out.Waiting) != 1 {
		t.Fatal(err, out)
	}
	if got := out.Matches[0].Why[0].Text(catalog, "es"); got != "Habla zz, el idioma de la persona" {
		t.Errorf("unknown code: %q", got)
	}
	if got := (Reason{Key: "match.why.no_member_language", Args: []any{Area(""), Language("")}}).Text(catalog, "es"); got !=
		"Ningún miembro que atiende zona no indicada habla idioma no indicado, y la persona no ha aceptado intérprete." {
		t.Errorf("nothing stated: %q", got)
	}
	for _, lang := range catalog.Languages() {
		for _, r := range append(out.Matches[0].Why, out.Waiting[0].Why) {
			if got := r.Text(catalog, lang); strings.Contains(got, "match.why") || strings.Contains(got, "%!") {
				t.Errorf("%s: %q", lang, got)
			}
		}
	}
}

// First-fit in priority order serves fewer: the first applicant takes the one
// member who could also have served the second.
func TestPropose_BeatsGreedy(t *testing.T) {
	p := Problem{
		Applicants: []Applicant{
			{ID: "es-urgent", Weight: 10, Language: "es", Area: "x"},
			{ID: "en-urgent", Weight: 9, Language: "en", Area: "x"},
			{ID: "es-later", Weight: 2, Language: "es", Area: "y"},
		},
		Members: []Member{
			{ID: "bilingual", Languages: []string{"es", "en"}, Areas: []string{"x", "y"}, Capacity: 1},
			{ID: "spanish", Languages: []string{"es"}, Areas: []string{"x", "y"}, Capacity: 1},
		},
	}
	out, err := Propose(p)
	if err != nil {
		t.Fatal(err)
	}
	got := check(t, p, out)
	if g := greedy(p); g != 12 || out.Weight != 19 {
		t.Errorf("greedy %d, Propose %d; want 12 and 19", g, out.Weight)
	}
	if got["es-urgent"] != "spanish" || got["en-urgent"] != "bilingual" {
		t.Errorf("matches = %v", got)
	}

	// On random instances greedy is never better, and often worse.
	rng := rand.New(rand.NewPCG(1, 2))
	worse := 0
	for range 300 {
		p := randomProblem(rng, 30, 6, 3, 3, 4, 5)
		out, err := Propose(p)
		if err != nil {
			t.Fatal(err)
		}
		check(t, p, out)
		g := greedy(p)
		if g > out.Weight {
			t.Fatalf("greedy %d beats Propose %d", g, out.Weight)
		}
		if g < out.Weight {
			worse++
		}
	}
	if worse == 0 {
		t.Error("greedy was never worse on 300 random instances")
	}
	t.Logf("greedy served less priority weight in %d of 300 random instances", worse)
}

// Optimal against brute force on small random instances: the same total
// weight, and the same number of matches without an interpreter.
func TestPropose_OptimalBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for k := range 2000 {
		p := randomProblem(rng, 1+rng.IntN(8), 1+rng.IntN(3), 2+rng.IntN(2), 2, 3, rng.IntN(4))
		if rng.IntN(3) == 0 {
			p.Limit = 1 + rng.IntN(3)
		}
		if rng.IntN(3) == 0 {
			p.OrgCapacity = map[string]int{"org-0": rng.IntN(3)}
		}
		out, err := Propose(p)
		if err != nil {
			t.Fatal(err)
		}
		check(t, p, out)
		w, n := bruteForce(p)
		if out.Weight != w || out.Native != n {
			t.Fatalf("instance %d: Propose weight %d native %d, brute force %d %d\n%+v", k, out.Weight, out.Native, w, n, p)
		}
	}
}

// Capacity is never exceeded, nor any other constraint broken, on larger
// random instances with tight capacity.
func TestPropose_Constraints_Random(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 50 {
		p := randomProblem(rng, 400, 40, 5, 6, 8, 60)
		p.OrgCapacity = map[string]int{"org-1": 3, "org-2": 0}
		out, err := Propose(p)
		if err != nil {
			t.Fatal(err)
		}
		check(t, p, out)
		if g := greedy(p); g > out.Weight {
			t.Fatalf("greedy %d beats Propose %d", g, out.Weight)
		}
	}
}

func TestPropose_BadInput(t *testing.T) {
	for _, tt := range []struct {
		name string
		p    Problem
		want string
	}{
		{"NoID", Problem{Applicants: []Applicant{{Weight: 1}}}, "applicant 1: no ID"},
		{"DuplicateApplicant", Problem{Applicants: []Applicant{{ID: "a", Weight: 1}, {ID: "a", Weight: 1}}}, `applicant "a" appears twice`},
		{"ZeroWeight", Problem{Applicants: []Applicant{{ID: "a"}}}, "weight 0 is not from 1"},
		{"DuplicateMember", Problem{Members: []Member{{ID: "m"}, {ID: "m"}}}, `member "m" appears twice`},
		{"NegativeCapacity", Problem{Members: []Member{{ID: "m", Capacity: -1}}}, "negative capacity"},
		{"NegativeLimit", Problem{Limit: -1}, "negative limit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Propose(tt.p); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	out, err := Propose(Problem{})
	if err != nil || out.Served != 0 {
		t.Errorf("empty problem: %v %+v", err, out)
	}
}

// Grouping applicants with the same options into classes loses nothing: the
// same weight and the same number of matches without an interpreter as a
// network with a node per applicant.
func TestPropose_GroupingIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for k := range 40 {
		p := randomProblem(rng, 300, 30, 4, 5, 6, 40)
		p.OrgCapacity = map[string]int{"org-3": 4}
		if k%2 == 0 {
			p.Limit = 60
		}
		grouped, err := propose(p, true)
		if err != nil {
			t.Fatal(err)
		}
		each, err := propose(p, false)
		if err != nil {
			t.Fatal(err)
		}
		check(t, p, grouped)
		check(t, p, each)
		if grouped.Weight != each.Weight || grouped.Native != each.Native {
			t.Fatalf("instance %d: grouped %d/%d, one node per applicant %d/%d", k, grouped.Weight, grouped.Native, each.Weight, each.Native)
		}
	}
}
