package csvimport

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// benchFile returns an intake file of n rows of fictional people, every
// column filled, with the variety of real files: US and ISO dates, Spanish
// values, quoted values with commas and line breaks.
func benchFile(n int) []byte {
	var b bytes.Buffer
	b.Write(bomUTF8)
	for i, c := range columns {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c.name)
	}
	b.WriteString("\r\n")
	situations := []string{"tps", "daca", "caso pendiente", "asylum_seeker", "lpr", "otra", "none_known"}
	for i := range n {
		sit := situations[i%len(situations)]
		tps, removal, hearing := "", "no", ""
		if sit == "tps" {
			tps, removal, hearing = "SV", "sí", fmt.Sprintf("%02d/%02d/2031", i%12+1, i%28+1)
		}
		fmt.Fprintf(&b, "Persona%d Ejemplo Prueba,Per,%d-%02d-%02d,es,+1 213 555 %04d,p%d@example.org,"+
			"\"%d Calle Ficticia, Apto. %d\nEdificio B\",,Ciudad Ejemplo,CA,00000,Honduras,%s,%s,%s,%s,no,no,sí,0,%02d/%02d/2025,REF-%d\r\n",
			i, 1940+i%80, i%12+1, i%28+1, i%10000, i, i%1000, i%50, sit, tps, removal, hearing, i%12+1, i%28+1, i)
	}
	return b.Bytes()
}

// The issue wants a 100,000-row import, validated and stored, in under 30 s;
// reading and checking the file must be a small part of that.
func BenchmarkParse100k(b *testing.B) {
	const n = 100_000
	data := benchFile(n)
	opt := Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), KeySecret: []byte("bench")}
	res, err := Parse(bytes.NewReader(data), opt)
	if err != nil || len(res.Rows) != n {
		b.Fatalf("err %v, %d rows, first errors %q", err, len(res.Rows), briefs(res.Errors[:min(3, len(res.Errors))]))
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data), opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
