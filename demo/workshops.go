package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/amparo-project/amparo"
)

// seedWorkshops schedules the demo's know-your-rights workshops: two held
// (one long enough ago that its attendees' details were erased on
// schedule, leaving counts), two open to registration (one full, with a
// waitlist) and a draft. Attendees register under made-up aliases or none.
func seedWorkshops(ctx context.Context, s Store, orgs []*amparo.Organization, members [][]*amparo.Member, now time.Time, setNow func(time.Time)) (int, error) {
	r := rand.New(rand.NewPCG(2025, 130))
	loc := amparo.ZoneOf("America/Los_Angeles")
	day := func(days, hour int) time.Time {
		d := now.In(loc).AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, loc)
	}
	visitor := amparo.NewContextWithActor(ctx, amparo.VisitorActor)
	aliases := []string{"Paloma", "Gorrión", "", "Colibrí", "Jilguero", "", "Tía Rosa", "Lucero", "", "Cenzontle", "Quetzal", "Girasol"}
	type plan struct {
		org                int
		w                  *amparo.Workshop
		registrations, cap int
		came, walkIns      int
		status             amparo.WorkshopStatus
	}
	title := func(en, es string) map[string]string { return map[string]string{"en": en, "es": es} }
	desc := title("What to do if immigration agents come to your door, stop you in the street or at work: your rights, and the red card to carry.",
		"Qué hacer si agentes de inmigración llegan a su puerta, le detienen en la calle o en el trabajo: sus derechos, y la tarjeta roja para llevar consigo.")
	plans := []plan{
		{0, &amparo.Workshop{Title: title("Know your rights at home", "Conozca sus derechos en casa"), StartsAt: day(-45, 18)}, 30, 40, 11, 4, amparo.WorkshopHeld},
		{0, &amparo.Workshop{Title: title("Know your rights at work", "Conozca sus derechos en el trabajo"), StartsAt: day(-6, 18)}, 26, 40, 14, 3, amparo.WorkshopHeld},
		{0, &amparo.Workshop{Title: title("Know your rights: what to do if you are stopped", "Conozca sus derechos: qué hacer si le detienen"), StartsAt: day(5, 18)}, 14, 12, 0, 0, amparo.WorkshopPublished},
		{1, &amparo.Workshop{Title: map[string]string{"es": "Taller para familias: plan de preparación"}, Languages: []string{"es"}, StartsAt: day(12, 10),
			AddressVisibility: amparo.AddressOnTheDay}, 6, 25, 0, 0, amparo.WorkshopPublished},
		{0, &amparo.Workshop{Title: title("Know your rights for students", "Conozca sus derechos para estudiantes"), StartsAt: day(20, 16)}, 0, 30, 0, 0, amparo.WorkshopDraft},
	}
	n := 0
	for i, p := range plans {
		o, w := orgs[p.org], p.w
		w.OrganizationID = o.ID
		if w.Languages == nil {
			w.Languages = []string{"en", "es"}
		}
		w.Description = map[string]string{}
		for _, l := range w.Languages {
			w.Description[l] = desc[l]
		}
		w.EndsAt = w.StartsAt.Add(2 * time.Hour)
		w.Capacity, w.RetentionDays = p.cap, amparo.DefaultWorkshopRetentionDays
		w.Venue, w.Address = fmt.Sprintf("Salón Parroquial Ejemplo %d", i+1), fmt.Sprintf("%d Calle Ficticia, Ciudad Ejemplo", 100+10*i)
		if w.AddressVisibility == "" {
			w.AddressVisibility = amparo.AddressRegistered
		}
		w.Accessibility = "Ground floor, no steps. Interpretation into Spanish."
		w.FacilitatorIDs = []string{members[p.org][0].ID}
		w.Materials = amparo.Handouts
		// Scheduled three weeks before it starts.
		setNow(w.StartsAt.AddDate(0, 0, -21))
		if err := s.CreateWorkshop(ctx, w); err != nil {
			return n, fmt.Errorf("workshop %d: %w", i, err)
		}
		n++
		if p.status == amparo.WorkshopDraft {
			continue
		}
		if _, err := s.SetWorkshopStatus(ctx, w.ID, amparo.WorkshopPublished); err != nil {
			return n, err
		}
		var codes []string
		for j := range p.registrations {
			setNow(w.StartsAt.Add(-time.Duration(20*24-j*13) * time.Hour))
			reg := &amparo.Registration{WorkshopID: w.ID, Alias: aliases[j%len(aliases)], PartySize: 1 + r.IntN(3)/2, Language: w.Languages[r.IntN(len(w.Languages))]}
			if j%5 == 1 {
				reg.Phone, reg.ConsentSMS = Phone(r), true
			}
			got, err := s.Register(visitor, reg)
			if err != nil {
				return n, fmt.Errorf("workshop %d registration %d: %w", i, j, err)
			}
			codes = append(codes, got.Registration.Code)
		}
		if p.status != amparo.WorkshopHeld {
			continue
		}
		setNow(w.StartsAt.Add(10 * time.Minute))
		for j := range p.came {
			if _, err := s.CheckIn(ctx, w.ID, amparo.CheckIn{Nonce: fmt.Sprintf("demo-%d-%d", i, j), Code: codes[j*7%len(codes)]}); err != nil {
				return n, err
			}
		}
		if p.walkIns > 0 {
			if _, err := s.CheckIn(ctx, w.ID, amparo.CheckIn{Nonce: fmt.Sprintf("demo-%d-walk", i), WalkIn: p.walkIns}); err != nil {
				return n, err
			}
		}
		setNow(w.EndsAt)
		if _, err := s.SetWorkshopStatus(ctx, w.ID, amparo.WorkshopHeld); err != nil {
			return n, err
		}
		// The organizer counts the handouts left and records what went
		// out: a red card to everyone who came, a booklet to most.
		people := p.came + p.walkIns
		if _, err := s.RecordHandedOut(ctx, w.ID, map[string]int{"kyr.card.title": people + 5, "kyr.title": people - 2}); err != nil {
			return n, err
		}
	}
	// The oldest workshop's retention has ended: its attendees' details are
	// erased, as the hourly job would have.
	setNow(now)
	if _, err := s.ForgetDueWorkshops(ctx, now); err != nil {
		return n, err
	}
	return n, nil
}
