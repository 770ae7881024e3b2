package web

import (
	"html/template"
	"net/http"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
)

// The dashboard: where a signed-in person lands. Staff of an organization
// see their work as counts, each a link to the list it counts; the
// program office sees the program, in charts drawn on the server, each
// with its numbers in a table; roles whose pages are still to come are
// told so.
//
// The lists' addresses the counts link to: /applicants?status=new,
// /letters?awaiting=1 (waiting for the reader's approval),
// /letters?expiring=30 (expiring within amparo.ExpiringDays),
// /letters?status=draft, /letters?status=active, /queue and /matches.

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	sess := sessionFrom(r.Context())
	d, err := s.intake.Dashboard(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "dashboard", http.StatusOK, map[string]any{"Account": sess.Account, "D": d,
		"ExpiringDays": amparo.ExpiringDays, "Weeks": intake.IntakeWeeks})
}

// Num writes n as the reader does (10,000 or 10.000).
func (p page) Num(n int) string { return number(p.Lang, n) }

// CapacityChart draws the program's letters against its capacity: active,
// matched (counted as used) and left.
func (p page) CapacityChart(c *amparo.ProgramCounts) template.HTML {
	return barChart("chart-capacity", p.T("dashboard.capacity.title"), p.capacityBars(c), c.Capacity)
}

// CapacityRows are the capacity chart's bars, for its table.
func (p page) CapacityRows(c *amparo.ProgramCounts) []bar { return p.capacityBars(c) }

func (p page) capacityBars(c *amparo.ProgramCounts) []bar {
	left := max(c.Capacity-c.Used(), 0)
	return []bar{
		{Label: p.T("dashboard.capacity.active"), Value: c.Active, Text: p.Num(c.Active)},
		{Label: p.T("dashboard.capacity.matched"), Value: c.Matched, Text: p.Num(c.Matched)},
		{Label: p.T("dashboard.capacity.left"), Value: left, Text: p.Num(left), Muted: true},
	}
}

// Left is the capacity not used.
func (p page) Left(c *amparo.ProgramCounts) int { return max(c.Capacity-c.Used(), 0) }

// OrganizationChart draws the letters each organization uses (active and
// matched).
func (p page) OrganizationChart(c *amparo.ProgramCounts) template.HTML {
	bars := make([]bar, len(c.Organizations))
	for i, o := range c.Organizations {
		bars[i] = bar{Label: o.Name, Value: o.Used(), Text: p.Num(o.Used())}
	}
	return barChart("chart-organizations", p.T("dashboard.orgs.title"), bars, 0)
}

// TierChart draws the line by priority tier.
func (p page) TierChart(ts []intake.TierCount) template.HTML {
	return barChart("chart-tiers", p.T("dashboard.tiers.title"), p.TierRows(ts), 0)
}

// TierRows are the tier chart's bars, for its table.
func (p page) TierRows(ts []intake.TierCount) []bar {
	bars := make([]bar, len(ts))
	for i, t := range ts {
		bars[i] = bar{Label: p.tierName(t.Tier), Value: t.People, Text: p.Num(t.People), Muted: t.Tier <= 0}
	}
	return bars
}

func (p page) tierName(tier int) string {
	switch tier {
	case 0:
		return p.T("dashboard.tiers.none")
	case -1:
		return p.T("dashboard.tiers.excluded")
	}
	return p.T("dashboard.tiers.tier", tier)
}

// WeekChart draws the intakes of each week, oldest first.
func (p page) WeekChart(c *amparo.ProgramCounts) template.HTML {
	return barChart("chart-weeks", p.T("dashboard.weeks.title", len(c.Weeks)), p.WeekRows(c), 0)
}

// WeekRows are the week chart's bars, for its table.
func (p page) WeekRows(c *amparo.ProgramCounts) []bar {
	bars := make([]bar, len(c.Weeks))
	for i, w := range c.Weeks {
		bars[i] = bar{Label: p.Date(w.Start), Value: w.Intakes, Text: p.Num(w.Intakes)}
	}
	return bars
}
