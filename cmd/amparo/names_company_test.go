package main_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/screening"
)

func TestNamesCompare_Company(t *testing.T) {
	t.Parallel()
	t.Run("ExplainsAMatch", func(t *testing.T) {
		out, errOut, code := amparo(t, nil, "names", "compare", "--kind", "company", "Fisher Sand and Gravel", "FISHER SAND & GRAVEL CO.")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"MATCH", "1.00", screening.MatchAlgorithm, "“Fisher Sand and Gravel” ≈ “FISHER SAND & GRAVEL CO.”", "Legal form ignored: CO."} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("NumberMismatchInSpanish", func(t *testing.T) {
		out, errOut, code := amparo(t, nil, "names", "compare", "--kind", "company", "--lang", "es", "Alameda Ridge Builders 2", "Alameda Ridge Builders 3 LLC")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"NO COINCIDE", "Los números no coinciden: «2» frente a «3»", "Forma jurídica no tenida en cuenta: LLC"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("JSONWithIdentifiers", func(t *testing.T) {
		out, errOut, code := amparo(t, nil, "names", "compare", "--kind", "company", "--json",
			"--id-a", "uei:r9t7w2x4y6z8", "--id-b", "UEI:R9T7-W2X4-Y6Z8", "Tierra Roja Materials", "Sullivan Land Services Co.")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var r struct {
			Algorithm, Decision string
			Score               float64
			Features            []struct{ Key, En, Es string }
		}
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v:\n%s", err, out)
		}
		if r.Decision != "match" || r.Score != 1 || r.Algorithm != screening.MatchAlgorithm || len(r.Features) == 0 ||
			r.Features[0].Key != "screen.match.id_same.uei" || r.Features[0].Es != "UEI idéntico: R9T7W2X4Y6Z8" {
			t.Errorf("same UEI, other names: %+v", r)
		}
	})
	t.Run("BadUsage", func(t *testing.T) {
		for _, args := range [][]string{
			{"names", "compare", "--kind", "company", "only one"},
			{"names", "compare", "--kind", "company", "A", "B", "--id-a", "uei:123"},
			{"names", "compare", "--kind", "company", "A", "B", "--id-b", "ssn:123456789"},
			{"names", "compare", "--kind", "vessel", "A", "B"},
			{"names", "compare", "A B", "C D", "--id-a", "uei:R9T7W2X4Y6Z8"},
		} {
			_, errOut, code := amparo(t, nil, args...)
			if code != 2 || !strings.Contains(errOut, "amparo names compare") {
				t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, code, errOut)
			}
		}
	})
}
