package docs

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestPriorityPolicyES: the Spanish page shows the same examples (the
// format, the shipped policy, the TPS table) as the English one, word for
// word, and as many sections and facts: a change to one is made to both.
func TestPriorityPolicyES(t *testing.T) {
	blocks := regexp.MustCompile("(?s)```[a-z]*\n.*?\n```")
	if en, es := blocks.FindAllString(PriorityPolicy, -1), blocks.FindAllString(PriorityPolicyES, -1); len(en) == 0 || !slices.Equal(en, es) {
		t.Error("the Spanish page's examples differ from the English page's")
	}
	facts := regexp.MustCompile("(?m)^\\| `[a-z_]+( N)?` \\|")
	if en, es := facts.FindAllString(PriorityPolicy, -1), facts.FindAllString(PriorityPolicyES, -1); len(en) == 0 || !slices.Equal(en, es) {
		t.Errorf("facts: %q in English, %q in Spanish", en, es)
	}
	if en, es := strings.Count(PriorityPolicy, "\n## "), strings.Count(PriorityPolicyES, "\n## "); en != es {
		t.Errorf("%d sections in English, %d in Spanish", en, es)
	}
}
