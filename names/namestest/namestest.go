// Package namestest makes fictional populations of names, as uneven as real
// ones, for the tests and benchmarks of the conflict check.
package namestest

import (
	"math/rand/v2"
	"strings"
	"time"

	"github.com/amparo-project/amparo/names"
)

var (
	given = strings.Fields(`José Juan María Ana Luis Carlos Jorge Miguel Rosa Carmen Francisco Antonio Pedro
		Manuel Jesús Guadalupe Laura Patricia Sofía Lucía Fernando Javier Ricardo Alejandro Daniel Gabriela Elena
		Isabel Teresa Raúl Sergio Eduardo Roberto Andrés Diego Martha Verónica Adriana Claudia Silvia Mónica
		Alicia Beatriz Yolanda Guillermo Alberto Rafael Ramón Óscar Héctor Arturo Enrique Víctor Julio Hugo Rubén
		Gerardo Mario Pablo Santiago Mateo Valentina Camila Ximena Fernanda Andrea Paola Natalia Mariana Daniela
		Leticia Graciela Esperanza Dolores Concepción Consuelo Rocío Irma Norma Gloria Blanca Susana Lorena`)
	surnames = strings.Fields(`García Hernández Martínez López González Pérez Rodríguez Sánchez Ramírez Cruz
		Flores Gómez Morales Vázquez Reyes Jiménez Torres Díaz Gutiérrez Ruiz Mendoza Aguilar Ortiz Moreno Castillo
		Romero Álvarez Chávez Rivera Juárez Ramos Domínguez Herrera Medina Castro Vargas Guzmán Velázquez Muñoz
		Rojas Contreras Salazar Luna Ortega Guerrero Estrada Bautista Cortés Soto Alvarado Espinoza Lara Ávila
		Ríos Cervantes Silva Delgado Vega Márquez Sandoval Fernández León Carrillo Mejía Solís Núñez Rosas Valdez
		Ibarra Campos Santiago Vásquez Navarro Rosales Acosta Peña Molina Trejo Cabrera Fuentes Miranda Serrano
		Suárez Meza Tapia Pacheco Robles Zamora Cárdenas Padilla Esquivel Orozco Ochoa Salinas Villanueva Nava
		Rubio Escobar Aguirre Montes Benítez Galindo Noriega Quintero Valencia Zúñiga Beltrán Lozano Arellano`)
)

// Person is a fictional person: a name as typed, and a date of birth or
// the zero time.
type Person struct {
	Name  string
	Birth time.Time
}

// Population returns n fictional people made of common given names and
// surnames, the surnames drawn as unevenly as in life (a few very common),
// so that many share a name: the hard case for a conflict check. The same
// n and seed give the same people.
func Population(n int, seed uint64) []Person {
	r := rand.New(rand.NewPCG(seed, 1))
	z := rand.NewZipf(r, 1.1, 4, uint64(len(surnames)-1))
	out := make([]Person, n)
	for i := range out {
		s := given[r.IntN(len(given))]
		if r.IntN(5) == 0 {
			s += " " + given[r.IntN(len(given))]
		}
		s += " " + surnames[z.Uint64()]
		if r.IntN(7) != 0 {
			s += " " + surnames[z.Uint64()]
		}
		out[i].Name = s
		if r.IntN(10) < 7 {
			out[i].Birth = time.Date(1940+r.IntN(70), time.January, 1+r.IntN(365), 0, 0, 0, 0, time.UTC)
		}
	}
	return out
}

// Variant returns a way the same person's name may be written again: word
// order, a typo, a missing surname, capitals, an initial.
func Variant(r *rand.Rand, p names.Person) string {
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

// MadeUpSurname spells i in syllables after a Z, a surname no one has and
// each i has alone: 0 → "Zba", 21 → "Zbebe"...
func MadeUpSurname(i int) string {
	syl := []string{"ba", "be", "bi", "bo", "da", "de", "di", "do", "fa", "fe", "ka", "ke", "la", "le", "ma", "me", "na", "ne", "ra", "re"}
	w := ""
	for {
		w = syl[i%len(syl)] + w
		i /= len(syl)
		if i == 0 {
			break
		}
	}
	return "Z" + w
}
