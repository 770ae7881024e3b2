package main

import (
	"context"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// Workshops from the command line: the list, a workshop's attendance, and
// erasing its attendees' details now (the hourly job does it when the
// retention ends).

func runWorkshops(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"list":       {"[--json]", "list every workshop, soonest first, with its status and places", workshopsList},
		"attendance": {"ID [--json]", "print a workshop's counts: registered, came, walk-ins, show rate, materials handed out", workshopsAttendance},
		"forget":     {"ID", "erase a workshop's attendees' aliases, contacts and ticket links now, keeping counts", workshopsForget},
	})
}

// workshopJSON is a workshop as `workshops list --json` prints it.
type workshopJSON struct {
	ID                string            `json:"id"`
	OrganizationID    string            `json:"organization_id"`
	Status            string            `json:"status"`
	Title             map[string]string `json:"title"`
	Languages         []string          `json:"languages"`
	StartsAt          time.Time         `json:"starts_at"`
	EndsAt            time.Time         `json:"ends_at"`
	Capacity          int               `json:"capacity"`
	AddressVisibility string            `json:"address_visibility"`
	RetentionDays     int               `json:"retention_days"`
	ErasedAt          *time.Time        `json:"erased_at,omitempty"`
}

func workshopsList(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("workshops list")
	m.dataFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	all, err := allPages(500, func(offset, limit int) ([]*amparo.Workshop, int, error) {
		return m.DB.FindWorkshops(system(ctx), amparo.WorkshopFilter{Offset: offset, Limit: limit})
	})
	if err != nil {
		return err
	}
	if *asJSON {
		out := []workshopJSON{}
		for _, w := range all {
			j := workshopJSON{w.ID, w.OrganizationID, string(w.Status), w.Title, w.Languages, w.StartsAt, w.EndsAt, w.Capacity,
				string(w.AddressVisibility), w.RetentionDays, nil}
			if !w.ErasedAt.IsZero() {
				j.ErasedAt = &w.ErasedAt
			}
			out = append(out, j)
		}
		return m.printJSON(out)
	}
	if len(all) == 0 {
		fmt.Fprintln(m.Stdout, "No workshops.")
		return nil
	}
	p, err := m.DB.FindProgram(system(ctx))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTARTS\tSTATUS\tPLACES\tTITLE")
	for _, w := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", w.ID, w.StartsAt.In(p.Location()).Format("2006-01-02 15:04"), w.Status, w.Capacity, w.TitleIn("en"))
	}
	tw.Flush()
	fmt.Fprintf(m.Stdout, "%d workshops.\n", len(all))
	return nil
}

func workshopsAttendance(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("workshops attendance")
	m.dataFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	id, err := m.parseID(fs, args, "a workshop ID")
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	a, err := m.DB.WorkshopAttendance(system(ctx), id)
	if err != nil {
		return err
	}
	if *asJSON {
		handed := []map[string]any{}
		for _, h := range a.HandedOut {
			handed = append(handed, map[string]any{"material": h.Material, "count": h.Count})
		}
		return m.printJSON(map[string]any{"workshop_id": a.WorkshopID, "capacity": a.Capacity, "registered": a.Registered,
			"registered_people": a.RegisteredPeople, "confirmed": a.Confirmed, "came": a.Came, "came_people": a.CamePeople,
			"walk_ins": a.WalkIns, "waitlisted": a.Waitlisted, "cancelled": a.Cancelled, "show_rate": a.ShowRate, "handed_out": handed})
	}
	fmt.Fprintf(m.Stdout, "Registered: %d (%d people) of %d places\nConfirmed: %d\nCame: %d (%d people)\nWalk-ins: %d people\nWaitlisted: %d\nCancelled or expired: %d\nShow rate: %.0f%%\n",
		a.Registered, a.RegisteredPeople, a.Capacity, a.Confirmed, a.Came, a.CamePeople, a.WalkIns, a.Waitlisted, a.Cancelled, a.ShowRate*100)
	if len(a.HandedOut) == 0 {
		fmt.Fprintln(m.Stdout, "Materials handed out: none listed")
		return nil
	}
	cat, err := locale.Load()
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "Materials handed out:")
	for _, h := range a.HandedOut {
		fmt.Fprintf(m.Stdout, "  %s (%s): %d\n", cat.T("en", h.Material), h.Material, h.Count)
	}
	return nil
}

func workshopsForget(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("workshops forget")
	m.dataFlags(fs)
	id, err := m.parseID(fs, args, "a workshop ID")
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	e, err := m.DB.ForgetWorkshop(system(ctx), id)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Erased the details of %d registrations of workshop %s: %d aliases, %d contact details, %d tickets. The counts are kept.\n",
		e.Registrations, id, e.Aliases, e.Contacts, e.Tickets)
	return nil
}

// forgetDueWorkshops is the hourly job: it erases the attendees' details
// of every workshop whose retention ended, and logs the counts (never a
// person's detail).
func (m *Main) forgetDueWorkshops(ctx context.Context) error {
	es, err := m.DB.ForgetDueWorkshops(system(ctx), time.Now())
	for _, e := range es {
		m.Logger.Info("workshop attendees' details erased", slog.String("workshop", e.WorkshopID), slog.Int("registrations", e.Registrations),
			slog.Int("aliases", e.Aliases), slog.Int("contacts", e.Contacts), slog.Int("tickets", e.Tickets))
	}
	return err
}
