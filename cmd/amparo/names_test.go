package main_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNamesCompare(t *testing.T) {
	t.Parallel()
	t.Run("ExplainsAMatch", func(t *testing.T) {
		out, errOut, code := amparo(t, nil, "names", "compare", "PÉREZ NORIEGA, Fernando", "Fernando Perez")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"MATCH", "0.95", "given Fernando; surname(s) PÉREZ NORIEGA", "Second surname “NORIEGA” appears in one name only"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("DifferentBirthDateIsNoMatch", func(t *testing.T) {
		out, errOut, code := amparo(t, nil, "names", "compare", "Fernando Perez", "Fernando Pérez Noriega",
			"--dob-a", "1980-01-02", "--dob-b", "03/04/1982", "--lang", "es")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"NO COINCIDE", "Las fechas de nacimiento difieren (1980-01-02, 1982-03-04)"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("JSON", func(t *testing.T) {
		out, errOut, code := amparo(t, nil, "names", "compare", "--json", "Juan Hernández López", "Juan Fernández López")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var r struct {
			Score    float64 `json:"score"`
			Decision string  `json:"decision"`
			Reasons  []struct {
				Code, Effect, En, Es string
			} `json:"reasons"`
			A struct {
				Surnames []struct{ Written string } `json:"surnames"`
			} `json:"a"`
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		if r.Decision != "no match" || r.Score >= 0.75 {
			t.Errorf("Hernández / Fernández: %v %.3f, want no match", r.Decision, r.Score)
		}
		var guarded bool
		for _, x := range r.Reasons {
			guarded = guarded || (x.Code == "surname_first_sound" && x.Effect == "against" && x.Es != "")
		}
		if !guarded || len(r.A.Surnames) != 2 || r.A.Surnames[0].Written != "Hernández" {
			t.Errorf("unexpected JSON:\n%s", out)
		}
	})
	t.Run("BadUsage", func(t *testing.T) {
		for _, args := range [][]string{
			{"names", "compare", "only one"},
			{"names", "compare", "A B", "C D", "--dob-a", "yesterday"},
			{"names", "compare", "A B", "C D", "E F"},
			{"names", "frobnicate"},
		} {
			_, errOut, code := amparo(t, nil, args...)
			if code != 2 || !strings.Contains(errOut, "amparo names") {
				t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, errOut)
			}
		}
	})
}
