package amparo_test

import (
	"testing"

	"github.com/amparo-project/amparo"
)

func TestClient_Validate_OneWordName(t *testing.T) {
	c := &amparo.Client{OrganizationID: "o", Personal: amparo.Personal{LegalName: "Joy", Language: "en", Situation: amparo.SituationNoneKnown}}
	if err := c.Validate(); amparo.ErrorCode(err) != amparo.EINVALID || amparo.ErrorField(err) != "legal_name" {
		t.Fatalf("a one-word legal name: %v", err)
	}
	c.SingleName = true
	if err := c.Validate(); err != nil {
		t.Fatalf("a single name, marked: %v", err)
	}
	c.SingleName, c.LegalName, c.PreferredName = false, "Joy Sample", "Joy"
	if err := c.Validate(); err != nil {
		t.Fatalf("a full name with a one-word preferred name: %v", err)
	}
}
