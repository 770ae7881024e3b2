package names_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo/names"
)

// hmacHash is the production-like hash: HMAC-SHA256 truncated to 16 bytes.
func hmacHash() names.Hash {
	key := []byte("a test key, not a secret")
	return func(k string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(k))
		return m.Sum(nil)[:16]
	}
}

var (
	popGiven = strings.Fields(`José Juan María Ana Luis Carlos Jorge Miguel Rosa Carmen Francisco Antonio Pedro
		Manuel Jesús Guadalupe Laura Patricia Sofía Lucía Fernando Javier Ricardo Alejandro Daniel Gabriela Elena
		Isabel Teresa Raúl Sergio Eduardo Roberto Andrés Diego Martha Verónica Adriana Claudia Silvia Mónica
		Alicia Beatriz Yolanda Guillermo Alberto Rafael Ramón Óscar Héctor Arturo Enrique Víctor Julio Hugo Rubén
		Gerardo Mario Pablo Santiago Mateo Valentina Camila Ximena Fernanda Andrea Paola Natalia Mariana Daniela
		Leticia Graciela Esperanza Dolores Concepción Consuelo Rocío Irma Norma Gloria Blanca Susana Lorena`)
	popSurnames = strings.Fields(`García Hernández Martínez López González Pérez Rodríguez Sánchez Ramírez Cruz
		Flores Gómez Morales Vázquez Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza Aguilar Ortiz Moreno Castillo
		Romero Álvarez Chávez Rivera Juárez Ramos Domínguez Herrera Medina Castro Vargas Guzmán Velázquez Muñoz
		Rojas Contreras Salazar Luna Ortega Guerrero Estrada Bautista Cortés Soto Alvarado Espinoza Lara Ávila
		Ríos Cervantes Silva Delgado Vega Márquez Sandoval Fernández León Carrillo Mejía Solís Núñez Rosas Valdez
		Ibarra Campos Santiago Vásquez Navarro Rosales Acosta Peña Molina Trejo Cabrera Fuentes Miranda Serrano
		Suárez Meza Tapia Pacheco Robles Zamora Cárdenas Padilla Esquivel Orozco Ochoa Salinas Villanueva Nava
		Rubio Escobar Aguirre Montes Benítez Galindo Noriega Quintero Valencia Zúñiga Beltrán Lozano Arellano`)
)

// population returns n fictional people made of common given names and
// surnames, the surnames drawn as unevenly as in life (a few very common).
func population(n int, seed uint64) ([]names.Person, []string) {
	r := rand.New(rand.NewPCG(seed, 1))
	z := rand.NewZipf(r, 1.1, 4, uint64(len(popSurnames)-1))
	out, raw := make([]names.Person, n), make([]string, n)
	for i := range out {
		s := popGiven[r.IntN(len(popGiven))]
		if r.IntN(5) == 0 {
			s += " " + popGiven[r.IntN(len(popGiven))]
		}
		s += " " + popSurnames[z.Uint64()]
		if r.IntN(7) != 0 {
			s += " " + popSurnames[z.Uint64()]
		}
		var dob time.Time
		if r.IntN(10) < 7 {
			dob = time.Date(1940+r.IntN(70), time.January, 1+r.IntN(365), 0, 0, 0, 0, time.UTC)
		}
		out[i], raw[i] = names.NewPerson(s, dob), s
	}
	return out, raw
}

// variant returns a way the same person's name may be written again.
func variant(r *rand.Rand, p names.Person) string {
	var w []string
	for _, x := range p.Name.Given {
		w = append(w, x.Orig)
	}
	g := strings.Join(w, " ")
	w = w[:0]
	for _, x := range p.Name.Surnames {
		w = append(w, x.Orig)
	}
	s := strings.Join(w, " ")
	typo := func(x string) string {
		b := []rune(x)
		if len(b) < 5 {
			return x
		}
		i := 1 + r.IntN(len(b)-2)
		switch r.IntN(3) {
		case 0:
			b[i], b[i+1] = b[i+1], b[i]
		case 1:
			b = append(b[:i], b[i+1:]...)
		default:
			b[i] = 'e'
		}
		return string(b)
	}
	switch r.IntN(6) {
	case 0:
		return strings.ToUpper(s) + ", " + g
	case 1:
		return typo(g) + " " + s
	case 2:
		return g + " " + typo(s)
	case 3:
		return g + " " + p.Name.Surnames[0].Text
	case 4:
		return names.Normalize(s + " " + g)
	}
	return g[:1] + ". " + s
}

// TestIndex_FindsWhatScanFinds checks the blocking keys: every person a
// linear scan puts before a reviewer is among the index's candidates.
func TestIndex_FindsWhatScanFinds(t *testing.T) {
	pop, raw := population(5000, 7)
	x := names.NewIndex(hmacHash())
	for i, p := range pop {
		x.Add(fmt.Sprint(i), p)
	}
	r := rand.New(rand.NewPCG(3, 4))
	const queries = 150
	var found, missed, cands int
	for range queries {
		src := pop[r.IntN(len(pop))]
		dob := src.Birth
		if r.IntN(2) == 0 {
			dob = time.Time{}
		}
		qs := variant(r, src)
		q := names.NewPerson(qs, dob)
		got := x.Candidates(q)
		cands += len(got)
		for i, p := range pop {
			if names.Score(q, p).Decision == names.NoMatch {
				continue
			}
			if slices.Contains(got, fmt.Sprint(i)) {
				found++
			} else {
				missed++
				t.Errorf("scan finds %q for %q (%.3f), the index does not", raw[i], qs, names.Score(q, p).Score)
			}
		}
	}
	t.Logf("index found %d of the %d people the scan found; %.0f candidates a query on average", found, found+missed, float64(cands)/queries)
}

// TestIndex_FindsLabelledPairs: for every labelled pair that Score puts
// before a reviewer, an index holding one finds it from the other.
func TestIndex_FindsLabelledPairs(t *testing.T) {
	for _, p := range loadPairs(t) {
		if names.Score(p.a, p.b).Decision == names.NoMatch {
			continue
		}
		for _, d := range [][2]names.Person{{p.a, p.b}, {p.b, p.a}} {
			x := names.NewIndex(hmacHash())
			x.Add("b", d[1])
			if len(x.Candidates(d[0])) != 1 {
				t.Errorf("line %d: an index holding %q does not find it from %q", p.line, p.names[1], p.names[0])
			}
		}
	}
}

// BenchmarkConflictCheck checks one name against 200,000 people of one
// organization: through the index then scoring the candidates, and by
// scoring everyone. Both use Score; the queries cycle through common and
// rare names, typos, initials, nicknames and dates of birth. scan reports
// x-indexed: how many times slower it is than indexed in the same run.
func BenchmarkConflictCheck(b *testing.B) {
	pop, _ := population(200000, 42)
	x := names.NewIndex(hmacHash())
	byID := make(map[string]names.Person, len(pop))
	for i, p := range pop {
		id := fmt.Sprint(i)
		x.Add(id, p)
		byID[id] = p
	}
	d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	queries := []names.Person{
		names.NewPerson("Fernando Peres Noriega", time.Time{}),
		names.NewPerson("GARCIA HERNANDEZ, Jose", d("1980-03-04")),
		names.NewPerson("Maria Gonzales Lopes", time.Time{}),
		names.NewPerson("J. Martinez Rodriguez", time.Time{}),
		names.NewPerson("Guillermo Ramirez", d("1975-11-30")),
		names.NewPerson("Llolanda Ximénez Vázquez", time.Time{}),
		names.NewPerson("Juan Carlos Hernández", time.Time{}),
		names.NewPerson("Pepe Lopez Garcia", time.Time{}),
	}
	var indexed time.Duration
	b.Run("indexed", func(b *testing.B) {
		i, cands := 0, 0
		for b.Loop() {
			q := queries[i%len(queries)]
			i++
			ids := x.Candidates(q)
			cands += len(ids)
			for _, id := range ids {
				names.Score(q, byID[id])
			}
		}
		indexed = b.Elapsed() / time.Duration(b.N)
		b.ReportMetric(float64(cands)/float64(b.N), "candidates/op")
	})
	b.Run("scan", func(b *testing.B) {
		i := 0
		for b.Loop() {
			q := queries[i%len(queries)]
			i++
			for _, p := range pop {
				names.Score(q, p)
			}
		}
		if indexed > 0 {
			// The figure: how many times slower the scan is, in this run.
			b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(indexed), "x-indexed")
		}
	})
}
