package names_test

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/names"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"José  PÉREZ-Ñúñez":    "jose perez nunez",
		"O'Neil, María":        "oneil maria",
		"  Dr. Ana   Ruiz Jr ": "dr ana ruiz jr",
		"Groß Æsir Łukasz":     "gross aesir lukasz",
		"Pe\u0301rez":          "perez", // decomposed accent
		"María O’Neil":         "maria oneil",
		"Ana Ejemplo Z0012":    "ana ejemplo z 0012", // numbers are words
		"":                     "",
	} {
		if got := names.Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestKey: spellings of one Spanish name share a key, different names do not.
func TestKey(t *testing.T) {
	same := [][2]string{{"jimenez", "ximenez"}, {"yolanda", "llolanda"}, {"vasquez", "vazquez"}, {"beatriz", "veatriz"},
		{"hernandez", "ernandez"}, {"javier", "xavier"}, {"gerardo", "jerardo"}, {"cecilia", "secilia"},
		{"quintero", "kintero"}, {"nunez", "nuniez"}, {"guillermo", "guiyermo"}, {"eloy", "eloi"}, {"isabel", "ysabel"},
		{"carrasco", "carasco"}, {"philippe", "filipe"}, {"cuellar", "cueyar"}}
	for _, p := range same {
		if names.Key(p[0]) != names.Key(p[1]) {
			t.Errorf("Key(%q) = %q, Key(%q) = %q: want equal", p[0], names.Key(p[0]), p[1], names.Key(p[1]))
		}
	}
	differ := [][2]string{{"hernandez", "fernandez"}, {"maria", "mario"}, {"diaz", "diez"}, {"gomez", "gamez"}, {"rojas", "rosas"}}
	for _, p := range differ {
		if names.Key(p[0]) == names.Key(p[1]) {
			t.Errorf("Key(%q) = Key(%q) = %q: want different", p[0], p[1], names.Key(p[0]))
		}
	}
}

func TestParse(t *testing.T) {
	words := func(ws []names.Word) string {
		s := make([]string, len(ws))
		for i, w := range ws {
			s[i] = w.Text
		}
		return strings.Join(s, " ")
	}
	for _, c := range []struct{ in, given, surnames string }{
		{"Fernando Pérez Noriega", "fernando", "perez noriega"},
		{"PÉREZ NORIEGA, Fernando", "fernando", "perez noriega"},
		{"Juan Carlos Pérez", "juan carlos", "perez"},
		{"Rosa M. Olivares", "rosa m", "olivares"},
		{"María de los Ángeles Soto Ruiz", "maria angeles", "soto ruiz"},
		{"Pedro de la Rosa López", "pedro", "rosa lopez"},
		{"José Ortega y Gasset", "jose", "ortega gasset"},
		{"Dr. Ana Ruiz Jr.", "ana", "ruiz"},
		{"de la Fuente, Jorge", "jorge", "fuente"},
		{"Ana Pérez-García", "ana", "perez garcia"},
	} {
		n := names.Parse(c.in)
		if words(n.Given) != c.given || words(n.Surnames) != c.surnames {
			t.Errorf("Parse(%q): given %q, surnames %q; want %q, %q", c.in, words(n.Given), words(n.Surnames), c.given, c.surnames)
		}
	}
	if n := names.Parse("Pedro de la Rosa"); !strings.Contains(strings.Join(n.Particles, " "), "de la") {
		t.Errorf("Parse(%q).Particles = %q", "Pedro de la Rosa", n.Particles)
	}
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestScore_Lessons(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	p := names.NewPerson
	none := time.Time{}
	for _, c := range []struct {
		name string
		a, b names.Person
		want names.Decision
		code string // a reason that must be given
	}{
		{"Hernández is not Fernández", p("Juan Hernández López", none), p("Juan Fernández López", none), names.NoMatch, "surname_first_sound"},
		{"missing second surname is weak", p("Fernando Perez", none), p("Fernando Pérez Noriega", none), names.Match, "surname_second_missing"},
		{"different birth date is strong", p("Fernando Perez", date("1980-01-02")), p("Fernando Pérez Noriega", date("1982-03-04")), names.NoMatch, "birth_differs"},
		{"same name, different birth date", p("Ana Ruiz Soto", date("1980-01-02")), p("Ana Ruiz Soto", date("1994-07-30")), names.NoMatch, "birth_differs"},
		{"same birth date and a surname is shown", p("Juan Pérez García", date("1990-05-05")), p("Pedro Pérez García", date("1990-05-05")), names.Possible, "birth_and_surname"},
		{"same birth date, typo'd surname", p("Ana Ruiz", date("1990-05-05")), p("Rosa Ruis", date("1990-05-05")), names.Possible, "birth_and_surname"},
		{"swapped day and month", p("Saúl Bermejo Paz", date("1979-03-08")), p("Saul Bermejo Paz", date("1979-08-03")), names.Possible, "birth_typo"},
		{"Spanish sounds", p("Yolanda Jiménez", none), p("Llolanda Ximénez", none), names.Match, "surname_sound"},
		{"nickname", p("Pepe Martínez", none), p("José Martínez", none), names.Match, "given_nickname"},
		{"masculine and feminine", p("Mario Torres Vega", none), p("María Torres Vega", none), names.NoMatch, "given_gender"},
		{"two common names", p("Rosa Díaz Soto", none), p("Rosa Díez Soto", none), names.NoMatch, "surname_different"},
		{"particles written together", p("Pedro de la Rosa López", none), p("Pedro Delarosa López", none), names.Match, "surname_joined"},
		{"word order", p("PEREZ NORIEGA FERNANDO", none), p("Fernando Pérez Noriega", none), names.Match, "reading"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := names.Score(c.a, c.b)
			if r.Decision != c.want {
				t.Errorf("%v (%.3f), want %v", r.Decision, r.Score, c.want)
			}
			var found bool
			for _, x := range r.Reasons {
				if !cat.Has(x.Key) || cat.T("es", x.Key, x.Args...) == cat.T("en", x.Key, x.Args...) || strings.Contains(cat.T("es", x.Key, x.Args...), "%!") {
					t.Errorf("reason %+v lacks a language, or its arguments", x)
				}
				found = found || x.Code == c.code
			}
			if !found {
				t.Errorf("no %q among the reasons: %+v", c.code, r.Reasons)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"Fernando Pérez Noriega", "PÉREZ NORIEGA, Fernando", "de la, ,", "Ma. José d'Ávila y Ruiz",
		"J.", "李小龍", "y e de", "O'Neil-Smith Jr.", "\xff\xfe", "a,b,c,d", "Llolanda Ximénez Vázquez de los Santos Ruiz Paz"} {
		f.Add(s, "Juan Pérez")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		n := names.Normalize(a)
		if !utf8.ValidString(n) || strings.Contains(n, "  ") || n != strings.TrimSpace(n) {
			t.Fatalf("Normalize(%q) = %q", a, n)
		}
		if names.Normalize(n) != n {
			t.Fatalf("Normalize is not idempotent on %q: %q then %q", a, n, names.Normalize(n))
		}
		pa := names.Parse(a)
		if len(pa.Given)+len(pa.Surnames) > 6 {
			t.Fatalf("Parse(%q): %d words", a, len(pa.Given)+len(pa.Surnames))
		}
		for _, w := range append(pa.Given, pa.Surnames...) {
			if w.Text == "" || w.Key == "" {
				t.Fatalf("Parse(%q): empty word %+v", a, w)
			}
		}
		x, y := names.NewPerson(a, time.Time{}), names.NewPerson(b, time.Time{})
		r, rr := names.Score(x, y), names.Score(y, x)
		if r.Score < 0 || r.Score > 1 || r.Score != rr.Score {
			t.Fatalf("Score(%q, %q) = %v, reversed %v", a, b, r.Score, rr.Score)
		}
		// Numbers are words of the fold, not of a name the conflict check
		// reads: a "name" of digits alone is no one to it.
		named := strings.ContainsFunc(n, unicode.IsLetter)
		if named && names.Score(x, x).Decision != names.Match {
			t.Fatalf("%q does not match itself: %+v", a, names.Score(x, x))
		}
		idx := names.NewIndex(func(k string) []byte { return []byte(k) })
		idx.Add("x", x)
		if named && len(idx.Candidates(x)) != 1 {
			t.Fatalf("an index holding %q does not find it", a)
		}
	})
}
