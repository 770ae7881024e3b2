package priority

import (
	"os"
	"strings"
	"testing"
)

// TestDocPolicy: docs/priority-policy.md shows the shipped policy verbatim,
// lists every fact, and its TPS example parses.
func TestDocPolicy(t *testing.T) {
	b, err := os.ReadFile("../docs/priority-policy.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	if got := fenced(t, doc, "policy"); got != councilPolicy {
		t.Errorf("the policy in the doc differs from council.policy:\n%s", got)
	}
	if _, err := ParseTPSTable(fenced(t, doc, "tps")); err != nil {
		t.Errorf("the TPS example: %v", err)
	}
	for _, f := range KnownFacts() {
		if !strings.Contains(doc, "| `"+f.Name) {
			t.Errorf("fact %s is not in the doc's table", f.Name)
		}
	}
}

func fenced(t *testing.T, doc, lang string) string {
	t.Helper()
	_, after, ok := strings.Cut(doc, "```"+lang+"\n")
	if !ok {
		t.Fatalf("no ```%s block", lang)
	}
	body, _, ok := strings.Cut(after, "```\n")
	if !ok {
		t.Fatalf("```%s block not closed", lang)
	}
	return body
}
