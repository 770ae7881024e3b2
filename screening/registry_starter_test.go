package screening_test

import (
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/screening"
)

// TestStarterRegistry: the shipped registry imports without a problem,
// names a public source for every record, and holds the companies the
// program asked for.
func TestStarterRegistry(t *testing.T) {
	c := screening.StarterRegistry()
	if !c.Replace || !strings.Contains(c.Reason, "press reports") {
		t.Errorf("reason %q", c.Reason)
	}
	names := map[string]bool{}
	for _, e := range c.PutEntities {
		names[e.ID] = true
		if !strings.HasPrefix(e.Source.URL, "https://") || e.Source.Retrieved.IsZero() {
			t.Errorf("%s: source %+v", e.ID, e.Source)
		}
	}
	for _, id := range []string{"slsco", "fisher-sand-gravel", "barnard-construction", "bfbc", "southwest-valley-constructors", "kiewit"} {
		if !names[id] {
			t.Errorf("no %s", id)
		}
	}
	prototypes := 0
	for _, v := range c.PutInvolvements {
		if !strings.HasPrefix(v.Source.URL, "https://") {
			t.Errorf("%s: source %+v", v.ID, v.Source)
		}
		if v.Role == amparo.RegistryPrototypeBuilder {
			prototypes++
		}
	}
	if prototypes != 8 || len(c.PutRelations) != 2 {
		t.Errorf("%d prototype contracts, %d relations", prototypes, len(c.PutRelations))
	}
}
