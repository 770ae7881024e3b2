package intake

import (
	"testing"

	"github.com/amparo-project/amparo/locale"
)

// TestHistoryReason checks that every reason a workflow writes reads back
// as a catalog message, in every language, and a typed one does not.
func TestHistoryReason(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		stored, es string
	}{
		{historyReason(0), "aceptado; verificación de conflictos: nadie parecido"},
		{historyReason(1, 1), "aceptado; verificación de conflictos: 1 posible conflicto revisado y descartado"},
		{historyReason(1, 3), "aceptado; verificación de conflictos: 3 posibles conflictos revisados y descartados"},
	} {
		m, ok := HistoryReason(tt.stored)
		if !ok {
			t.Fatalf("%q is not read back", tt.stored)
		}
		if got := cat.T("es", m.Key, m.Args...); got != tt.es {
			t.Errorf("%q in Spanish: %q, want %q", tt.stored, got, tt.es)
		}
	}
	if _, ok := HistoryReason("accepted; conflict check: 3 possible conflicts reviewed and cleared, by phone"); ok {
		t.Error("a reason a person typed is read as a workflow's")
	}
}
