package csvimport

import (
	"testing"

	"github.com/amparo-project/amparo"
)

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"Ana Ejemplo Prueba":     "ana ejemplo prueba",
		"PRUEBA, Ana Ejemplo":    "ana ejemplo prueba",
		"  Ána   Ejémplo-Prueba": "ana ejemplo prueba",
		"Niño Muñoz":             "munoz nino",
		"María O'Neil":           "maria oneil", // as the conflict check and the search fold it
		"O’Neil, MARÍA":          "maria oneil",
		"Persona 3 Ejemplo":      "3 ejemplo persona",
		"Strauß":                 "strauss",
		"":                       "",
	} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRowKey(t *testing.T) {
	secret := []byte("test secret")
	dob := amparo.MustDate("1990-03-25")
	k := RowKey(secret, "Ana Ejemplo Prueba", dob)
	if len(k) != 32 {
		t.Fatalf("key %q", k)
	}
	// Pinned: stored keys must stay valid, or a re-import would add
	// everyone again.
	if want := "dad2b60a101ecb1f4557b0ea94824c6a"; k != want {
		t.Errorf("key %s, want %s", k, want)
	}
	for _, same := range []string{"PRUEBA, Ana Ejemplo", "ana ejemplo prueba", "Ána Ejémplo Prueba"} {
		if RowKey(secret, same, dob) != k {
			t.Errorf("%q has another key", same)
		}
	}
	for name, other := range map[string]string{
		"another date":   RowKey(secret, "Ana Ejemplo Prueba", amparo.MustDate("1990-03-26")),
		"no date":        RowKey(secret, "Ana Ejemplo Prueba", amparo.Date{}),
		"another name":   RowKey(secret, "Ana Ejemplo Prueba Dos", dob),
		"another secret": RowKey([]byte("other"), "Ana Ejemplo Prueba", dob),
		"name key":       NameKey(secret, "Ana Ejemplo Prueba"),
	} {
		if other == k {
			t.Errorf("%s: same key", name)
		}
	}
	if NameKey(secret, "Ana Ejemplo Prueba") != NameKey(secret, "PRUEBA, ANA EJEMPLO") {
		t.Error("name keys differ")
	}
}
