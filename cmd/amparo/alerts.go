package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/jobs"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/notify"
	"github.com/amparo-project/amparo/web"
)

// Rapid response: the alert messages' words, the escalation job, the SMS
// keyword and acknowledgement replies, and the alerts commands.

// alertMessages makes the store able to raise alerts: their messages'
// words, with acknowledgement links under --public-url (relative links
// without one, on a developer's machine).
func (m *Main) alertMessages(cat *locale.Catalog) {
	u := m.deploy.PublicURL
	if u == nil {
		u = &url.URL{Path: "/"}
	}
	m.DB.AlertMessage = notify.AlertMessage(cat, u)
}

// alertWorkflow makes the store able to raise alerts (alertMessages) and
// returns the alerts' job handler and SMS replier, made once for a
// serving process. AMPARO_ALERT_KEYWORDS (comma-separated) replaces the
// default keywords.
func (m *Main) alertWorkflow(cat *locale.Catalog) (*notify.Alerts, error) {
	m.alertMessages(cat)
	var words []string
	if v := m.Getenv("AMPARO_ALERT_KEYWORDS"); v != "" {
		words = strings.Split(v, ",")
	}
	kw, err := notify.AlertKeywords(words)
	if err != nil {
		return nil, fmt.Errorf("AMPARO_ALERT_KEYWORDS: %w", err)
	}
	return &notify.Alerts{Store: m.DB, Catalog: cat, Keywords: kw, Logger: m.Logger}, nil
}

// useAlerts adds the escalation job to the runner, and wires the SMS
// keyword and acknowledgement replies into the gateway's webhooks, when
// they are served.
func (m *Main) useAlerts(a *notify.Alerts, r *jobs.Runner, svc *web.Services) {
	r.Handlers[amparo.JobEscalateAlert] = a.EscalateJob
	if h, ok := svc.Webhooks.Hooks.(*notify.Hooks); ok {
		h.Replies = append(h.Replies, a.Reply)
		h.Language = a.Language
	}
}

func runAlerts(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"list": {"[--org ID] [--json]", "list alerts, unacknowledged first, then newest first", alertsList},
		"show": {"ID [--json]", "show an alert with its timeline", alertsShow},
	})
}

// alertJSON is an alert as the commands print it: no name, number, note
// or A-number.
type alertJSON struct {
	ID             string           `json:"id"`
	Organization   string           `json:"organization_id"`
	Client         string           `json:"client_id,omitempty"`
	Source         string           `json:"source"`
	Status         string           `json:"status"`
	Verification   string           `json:"verification,omitempty"`
	RaisedAt       time.Time        `json:"raised_at"`
	FirstSentAt    *time.Time       `json:"first_sent_at,omitempty"`
	AcknowledgedAt *time.Time       `json:"acknowledged_at,omitempty"`
	AckBy          string           `json:"acknowledged_by,omitempty"`
	AckChannel     string           `json:"acknowledged_channel,omitempty"`
	ResolvedAt     *time.Time       `json:"resolved_at,omitempty"`
	Outcome        string           `json:"outcome,omitempty"`
	Steps          int              `json:"escalation_steps"`
	Timeline       []alertEventJSON `json:"timeline,omitempty"`
}

type alertEventJSON struct {
	At        time.Time `json:"at"`
	Kind      string    `json:"kind"`
	Responder *int      `json:"responder,omitempty"`
	Channel   string    `json:"channel,omitempty"`
	Message   string    `json:"message_id,omitempty"`
	Status    string    `json:"message_status,omitempty"`
	Step      int       `json:"step,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toAlertJSON(a *amparo.Alert, timeline bool) alertJSON {
	j := alertJSON{ID: a.ID, Organization: a.OrganizationID, Client: a.ClientID, Source: string(a.Source), Status: string(a.Status),
		Verification: string(a.Verification), RaisedAt: a.RaisedAt, FirstSentAt: optTime(a.FirstSentAt), AcknowledgedAt: optTime(a.AcknowledgedAt),
		AckBy: a.AckBy, AckChannel: string(a.AckChannel), ResolvedAt: optTime(a.ResolvedAt), Outcome: a.Outcome, Steps: a.Step}
	if timeline {
		for _, e := range a.Events {
			ej := alertEventJSON{At: e.At, Kind: string(e.Kind), Channel: string(e.Channel), Message: e.MessageID, Status: string(e.Status), Step: e.Step}
			if e.Responder >= 0 {
				r := e.Responder
				ej.Responder = &r
			}
			j.Timeline = append(j.Timeline, ej)
		}
	}
	return j
}

func alertsList(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("alerts list")
	m.dataFlags(fs)
	org := fs.String("org", "", "only the alerts of organization `ID`")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	as, err := m.DB.FindAlerts(system(ctx), amparo.AlertFilter{OrganizationID: *org, Limit: 1000})
	if err != nil {
		return err
	}
	out := []alertJSON{}
	for _, a := range as {
		out = append(out, toAlertJSON(a, false))
	}
	if *asJSON {
		return m.printJSON(out)
	}
	if len(out) == 0 {
		fmt.Fprintln(m.Stdout, "No alerts.")
		return nil
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tSOURCE\tRAISED\tACKNOWLEDGED AFTER\tOUTCOME")
	for _, a := range as {
		after := "-"
		if !a.AcknowledgedAt.IsZero() {
			after = a.AcknowledgedAt.Sub(a.RaisedAt).Round(time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Status, a.Source, a.RaisedAt.Local().Format("2006-01-02 15:04"), after, a.Outcome)
	}
	tw.Flush()
	fmt.Fprintf(m.Stdout, "%d alerts.\n", len(out))
	return nil
}

func alertsShow(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("alerts show")
	m.dataFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	id, err := m.parseID(fs, args, "an alert ID")
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	a, err := m.DB.FindAlertByID(system(ctx), id)
	if err != nil {
		return err
	}
	j := toAlertJSON(a, true)
	if *asJSON {
		return m.printJSON(j)
	}
	fmt.Fprintf(m.Stdout, "Alert %s: %s, from %s, raised %s\n", a.ID, a.Status, a.Source, a.RaisedAt.Local().Format(time.RFC3339))
	if !a.AcknowledgedAt.IsZero() {
		fmt.Fprintf(m.Stdout, "Acknowledged after %s by %s (%s)\n", a.AcknowledgedAt.Sub(a.RaisedAt).Round(time.Second), a.AckBy, a.AckChannel)
	}
	if a.Outcome != "" {
		fmt.Fprintf(m.Stdout, "Outcome: %s\n", a.Outcome)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tEVENT\tRESPONDER\tCHANNEL\tMESSAGE STATUS")
	for _, e := range j.Timeline {
		r := "-"
		if e.Responder != nil {
			r = fmt.Sprint(*e.Responder)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.At.Local().Format("15:04:05"), e.Kind, r, e.Channel, e.Status)
	}
	return tw.Flush()
}
