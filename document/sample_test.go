package document

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/amparo-project/amparo/locale"
)

// qrText makes a QR text shaped like a real one: a verify URL and a base32
// credential of n characters. Seeded, so each seed gives one text.
func qrText(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, 7))
	const b32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, n)
	for i := range b {
		b[i] = b32[r.IntN(32)]
	}
	return "https://amparo.example.org/v#" + string(b)
}

// sample is a fictional letter: every name in it is invented.
func sample(lang string) *Letter {
	issued := time.Date(2026, time.March, 5, 10, 0, 0, 0, time.UTC)
	return &Letter{
		ID:         "5f0c1a2b3c4d5e6f708192a3b4c5d6e7",
		QR:         qrText(1, 300),
		IssuedAt:   issued,
		ValidUntil: issued.AddDate(1, 0, 0),
		ClientName: "María José Ejemplo Pérez",
		Languages:  []string{lang},
		Member: Member{Name: "Lic. Tomás Ficticio", Kind: "attorney", BarJurisdiction: "California",
			BarNumber: "900100", Phone: "+1 213 555 0142"},
		Organization: Organization{Name: "Centro Legal Ejemplo", Phone: "+1 213 555 0100", Email: "intake@centro-ejemplo.example"},
		Program:      Program{Name: "Programa de Cartas de Representación (demo)", Jurisdiction: "City of Ejemplo, California (fictional)"},
	}
}

func renderer(tb testing.TB) *Renderer {
	tb.Helper()
	cat, err := locale.Load()
	if err != nil {
		tb.Fatal(err)
	}
	return New(cat)
}
