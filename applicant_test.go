package amparo_test

import (
	"testing"
	"time"

	"github.com/amparo-project/amparo"
)

func TestNormalizeReference(t *testing.T) {
	for in, want := range map[string]string{
		"k7qm3-xpd9a": "K7QM3XPD9A", " K7QM3 XPD9A ": "K7QM3XPD9A", "ko1l-ab12": "K011AB12",
		"": "", "K7QM3XPD9": "", "K7QM3XPD9U": "", "!!!!!!!!": "",
	} {
		if got := amparo.NormalizeReference(in); got != want {
			t.Errorf("NormalizeReference(%q) = %q, want %q", in, got, want)
		}
	}
	if r := amparo.NewReference(); amparo.NormalizeReference(r) != r {
		t.Errorf("a new reference %q does not read back", r)
	}
}

// TestFacts_Merge: a later intake replaces what it answers and keeps what
// it leaves unanswered.
func TestFacts_Merge(t *testing.T) {
	first := amparo.Facts{Personal: amparo.Personal{LegalName: "Ana Ejemplo", Phone: "213-555-0100", Situation: amparo.SituationTPS, TPSCountry: "SV"}, Unhoused: true}
	later := amparo.Facts{Personal: amparo.Personal{LegalName: "Ana Ejemplo", Situation: amparo.SituationAsylum, Detained: true}}
	got, changes := first.Merge(later)
	if got.Phone != "213-555-0100" || !got.Unhoused || got.Situation != amparo.SituationAsylum || got.TPSCountry != "" || !got.Detained {
		t.Fatalf("merged %+v", got)
	}
	if len(changes) != 3 || changes[0].Field != "tps_country" || changes[1] != (amparo.ApplicantChange{Field: "situation", Old: "tps", New: "asylum_seeker"}) ||
		changes[2] != (amparo.ApplicantChange{Field: "detained", Old: "false", New: "true"}) {
		t.Fatalf("changes %+v", changes)
	}
	if _, changes := got.Merge(later); len(changes) != 0 {
		t.Fatalf("the same intake again changes %+v", changes)
	}
	// A form sent again keeps its consent and contacts once; a consent
	// given again later is recorded as well.
	at := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC)
	given := amparo.Facts{Personal: amparo.Personal{LegalName: "Ana Ejemplo",
		Consents:          []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: at, RecordedBy: amparo.ApplicantActorID, Language: "es"}},
		EmergencyContacts: []amparo.EmergencyContact{{Name: "Luis Ejemplo", Phone: "213-555-0101"}}}}
	if twice, _ := given.Merge(given); len(twice.Consents) != 1 || len(twice.EmergencyContacts) != 1 {
		t.Fatalf("sent twice: %d consents, %d contacts", len(twice.Consents), len(twice.EmergencyContacts))
	}
	later = given
	later.Consents = []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: at.Add(time.Hour), RecordedBy: amparo.ApplicantActorID, Language: "es"}}
	if again, _ := given.Merge(later); len(again.Consents) != 2 {
		t.Fatalf("a consent given again later: %d consents", len(again.Consents))
	}
}
