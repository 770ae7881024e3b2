package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/amparo-project/amparo"
)

var (
	givenES   = []string{"María", "José", "Ana", "Luis", "Carmen", "Jesús", "Rosa", "Óscar", "Lucía", "Andrés", "Marisol", "Héctor", "Inés", "Raúl", "Sofía", "Ramón", "Fabiola", "Ángel", "Beatriz", "Tomás"}
	givenEN   = []string{"Grace", "Samuel", "Joy", "Daniel", "Esther", "Peter", "Ruth", "Marc", "Alice", "Jean"}
	surnameES = []string{"Ejemplo", "Prueba", "Ficticio", "Muestra", "Inventado", "Modelo", "Supuesto", "Imaginario"}
	surnameEN = []string{"Sample", "Example", "Placeholder", "Testwell", "Fakename", "Demoson"}
	cities    = []string{"Los Angeles", "Van Nuys", "East Los Angeles", "Pacoima", "Boyle Heights", "Wilmington"}
	streets   = []string{"Example", "Sample", "Fiction", "Placeholder", "Nowhere"}
	// TPS countries of the fictional clients, with their languages.
	tpsCountries = []string{"SV", "HN", "NI", "HT", "VE"}
)

// Phone returns a fictional US phone number (555-0100 to 555-0199).
func Phone(r *rand.Rand) string {
	return fmt.Sprintf("+1 213 555 01%02d", r.IntN(100))
}

// Client returns a fictional client of the organization, speaking lang
// ("es" or "en"), with a situation drawn at random.
func Client(r *rand.Rand, orgID, lang string, now time.Time) *amparo.Client {
	given, surname := givenES, surnameES
	if lang == "en" {
		given, surname = givenEN, surnameEN
	}
	first := pick(r, given)
	last := pick(r, surname) + " " + pick(r, surnameES)
	c := &amparo.Client{OrganizationID: orgID, Personal: amparo.Personal{
		LegalName: first + " " + last,
		BirthDate: amparo.Date{Time: time.Date(1960+r.IntN(45), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)},
		Language:  lang,
		Phone:     Phone(r),
		Address: amparo.Address{
			Line1:      fmt.Sprintf("%d %s St", 100+r.IntN(900), pick(r, streets)),
			City:       pick(r, cities),
			Region:     "CA",
			PostalCode: fmt.Sprintf("900%02d", r.IntN(100)),
		},
		Situation: pick(r, amparo.Situations),
		EmergencyContacts: []amparo.EmergencyContact{{
			Name: pick(r, given) + " " + last, Relationship: "family", Phone: Phone(r), Language: lang,
		}},
		Consents: []amparo.Consent{{
			Purpose: amparo.ConsentDataStorage, GivenAt: now.Add(-time.Duration(r.IntN(90*24)) * time.Hour).UTC().Truncate(time.Second),
			RecordedBy: "intake", Language: lang,
		}},
	}}
	if r.IntN(3) == 0 {
		c.PreferredName = first
	}
	c.CountryOfBirth = pick(r, tpsCountries)
	if lang == "en" {
		c.CountryOfBirth = "HT"
	}
	if c.Situation == amparo.SituationTPS {
		c.TPSCountry = c.CountryOfBirth
	}
	if r.IntN(2) == 0 {
		c.FacingRemoval = true
		c.NoticeToAppear = true
		c.NextHearing = amparo.Date{Time: now.AddDate(0, 0, 7+r.IntN(180)).UTC().Truncate(24 * time.Hour)}
		c.Detained = r.IntN(4) == 0
	}
	return c
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }
