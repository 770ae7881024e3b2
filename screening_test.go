package amparo_test

import (
	"testing"

	"github.com/amparo-project/amparo"
)

func TestCanonicalIdentifier(t *testing.T) {
	for _, c := range []struct {
		kind     amparo.RegistryIdentifierKind
		in, want string
	}{
		{amparo.RegistryUEI, " abc123def456 ", "ABC123DEF456"},
		{amparo.RegistryUEI, "ABC123DEF45", ""},
		{amparo.RegistryUEI, "ABC123DEF45-", ""},
		{amparo.RegistryUEI, "R9T7W2X4Y6ZO", ""}, // SAM.gov's UEIs have no O
		{amparo.RegistryUEI, "R9T7W2X4Y6ZI", ""}, // nor I
		{amparo.RegistryUEI, "09T7W2X4Y6Z8", ""}, // nor a 0 first
		{amparo.RegistryDUNS, "12-345-6789", "123456789"},
		{amparo.RegistryDUNS, "12345678", ""},
		{amparo.RegistryEIN, "123456789", "12-3456789"},
		{amparo.RegistryEIN, "12-3456789", "12-3456789"},
		{amparo.RegistryEIN, "123-456789", ""},
		{amparo.RegistryCALicense, "0123456", "123456"},
		{amparo.RegistryCALicense, "123456789", ""},
		{amparo.RegistryStateReg, "c1234567", "C1234567"},
		{amparo.RegistryStateReg, "", ""},
		{"passport", "X", ""},
	} {
		got, err := amparo.CanonicalIdentifier(c.kind, c.in)
		if got != c.want || (c.want == "") != (err != nil) {
			t.Errorf("%s %q = %q, %v; want %q", c.kind, c.in, got, err, c.want)
		}
		if err != nil {
			if m, ok := amparo.ErrorMsg(err); !ok || m.Key == "" || amparo.ErrorCode(err) != amparo.EINVALID {
				t.Errorf("%s %q: no catalog key: %v", c.kind, c.in, err)
			}
		}
	}
}

func TestRegistryInvolvement_Validate(t *testing.T) {
	ok := amparo.RegistryInvolvement{ID: "i", EntityID: "e", Agency: "CBP", Role: amparo.RegistryPrime, Status: amparo.AwardAwarded,
		AwardDate: amparo.MustDate("2019-01-01"), Source: amparo.RegistrySource{Document: "d", Retrieved: amparo.MustDate("2025-01-01")}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, change := range map[string]func(v *amparo.RegistryInvolvement){
		"role":       func(v *amparo.RegistryInvolvement) { v.Role = "architect" },
		"status":     func(v *amparo.RegistryInvolvement) { v.Status = "pending" },
		"amount":     func(v *amparo.RegistryInvolvement) { v.AmountCents = -1 },
		"award_date": func(v *amparo.RegistryInvolvement) { v.AwardDate = amparo.Date{} },
		"agency":     func(v *amparo.RegistryInvolvement) { v.Agency = " " },
		"source":     func(v *amparo.RegistryInvolvement) { v.Source.Document = "" },
		"retrieved":  func(v *amparo.RegistryInvolvement) { v.Source.Retrieved = amparo.Date{} },
		"source_url": func(v *amparo.RegistryInvolvement) { v.Source.URL = "ftp://x" },
		"entity":     func(v *amparo.RegistryInvolvement) { v.EntityID = "Not An ID" },
	} {
		v := ok
		change(&v)
		if err := v.Validate(); amparo.ErrorField(err) != field {
			t.Errorf("%s: field %q (%v)", field, amparo.ErrorField(err), err)
		}
	}
}
