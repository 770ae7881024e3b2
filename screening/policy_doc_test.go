package screening_test

import (
	"os"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/screening"
)

// TestPolicyDoc: docs/screening.md shows the shipped policies word for word.
func TestPolicyDoc(t *testing.T) {
	b, err := os.ReadFile("../docs/screening.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "```policy\n"+screening.DefaultPoliciesText()+"```\n") {
		t.Error("docs/screening.md does not show the shipped policies as they are")
	}
}
