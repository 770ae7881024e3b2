package names

import (
	"crypto/sha256"
	"strings"
	"testing"
	"time"
)

// TestIndex_HoldsOnlyHashedKeys: what the index keeps is the hash's output
// and the IDs, never a word of a name.
func TestIndex_HoldsOnlyHashedKeys(t *testing.T) {
	var seen []string
	x := NewIndex(func(k string) []byte {
		seen = append(seen, k)
		s := sha256.Sum256([]byte(k))
		return s[:16]
	})
	x.Add("client-7", NewPerson("Yolanda Jiménez Vásquez", time.Date(1980, 3, 4, 0, 0, 0, 0, time.UTC)))
	if len(seen) == 0 {
		t.Fatal("the hash was never called")
	}
	for k := range x.posts {
		for _, w := range []string{"jimenez", "Jimenes", "yolanda", "Yolanda", "baskes", "1980"} {
			if strings.Contains(k, w) {
				t.Errorf("the index holds %q", k)
			}
		}
	}
	if x.ids[0] != "client-7" || len(x.ids) != 1 {
		t.Errorf("ids = %q", x.ids)
	}
}
