package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/sqldb"
)

// MustCreateWorkshop stores w, published, filling what it lacks: a
// fictional workshop of org in English and Spanish starting at 18:00 UTC
// a week from today (so that the hours before it are its day, whenever a
// test runs), for 30 people.
func MustCreateWorkshop(tb testing.TB, db *sqldb.DB, orgID string, w *amparo.Workshop) *amparo.Workshop {
	tb.Helper()
	w.OrganizationID = orgID
	if w.Languages == nil {
		w.Languages = []string{"en", "es"}
		w.Title = map[string]string{"en": "Know your rights at home", "es": "Conozca sus derechos en casa"}
	}
	if w.StartsAt.IsZero() {
		day := time.Now().UTC().AddDate(0, 0, 7)
		w.StartsAt = time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, time.UTC)
	}
	if w.EndsAt.IsZero() {
		w.EndsAt = w.StartsAt.Add(2 * time.Hour)
	}
	if w.Capacity == 0 {
		w.Capacity = 30
	}
	if w.Venue == "" {
		w.Venue, w.Address = "Salón Parroquial Ejemplo", "100 Calle Ficticia, Ciudad Ejemplo"
	}
	if w.AddressVisibility == "" {
		w.AddressVisibility = amparo.AddressRegistered
	}
	if w.RetentionDays == 0 {
		w.RetentionDays = amparo.DefaultWorkshopRetentionDays
	}
	if err := db.CreateWorkshop(System, w); err != nil {
		tb.Fatal(err)
	}
	if _, err := db.SetWorkshopStatus(System, w.ID, amparo.WorkshopPublished); err != nil {
		tb.Fatal(err)
	}
	w.Status = amparo.WorkshopPublished
	return w
}

// Visitor is the context of a member of the public (a workshop's
// registrant).
var Visitor = amparo.NewContextWithActor(context.Background(), amparo.VisitorActor)

// MustRegister registers r as a visitor does, for one person in Spanish
// unless r says otherwise.
func MustRegister(tb testing.TB, db *sqldb.DB, r *amparo.Registration) *amparo.Registered {
	tb.Helper()
	if r.PartySize == 0 {
		r.PartySize = 1
	}
	if r.Language == "" {
		r.Language = "es"
	}
	got, err := db.Register(Visitor, r)
	if err != nil {
		tb.Fatal(err)
	}
	return got
}
