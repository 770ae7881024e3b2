package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/report"
)

// The council's public reports: the released reports, each a fixed set
// of tables for a fixed period. The public pages answer no filter, date
// range or other query parameter (only ?lang= picks the language): what
// a release published is all anyone can see of it. The program office
// releases and approves on /reports/manage.

func (s *Server) reportRoutes(mux *routes) {
	runsProgram := may(amparo.Actor.RunsProgram)
	mux.HandleFunc("GET /reports", s.reportList)
	mux.HandleFunc("GET /reports/{id}", s.reportView)
	mux.Allow("GET /reports/manage", runsProgram, s.reportManage)
	mux.Allow("POST /reports/manage", runsProgram, s.reportRelease)
	mux.Allow("POST /reports/manage/{id}/approve", runsProgram, s.reportApprove)
}

func (s *Server) reportList(w http.ResponseWriter, r *http.Request) {
	r = visitorCtx(r)
	l, err := s.reports.Published(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "reports", http.StatusOK, map[string]any{"Releases": l})
}

func (s *Server) reportView(w http.ResponseWriter, r *http.Request) {
	r = visitorCtx(r)
	rel, d, err := s.reports.Show(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "report", http.StatusOK, map[string]any{"Release": rel, "Doc": d})
}

func (s *Server) reportManage(w http.ResponseWriter, r *http.Request) {
	s.renderManage(w, r, http.StatusOK, &form{Values: map[string]string{}})
}

func (s *Server) renderManage(w http.ResponseWriter, r *http.Request, status int, f *form) {
	l, err := s.Reports.FindReportReleases(r.Context(), amparo.ReportReleaseFilter{})
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "report_manage", status, map[string]any{"Releases": l, "Form": f})
}

func (s *Server) reportRelease(w http.ResponseWriter, r *http.Request) {
	period := strings.TrimSpace(r.PostFormValue("period"))
	rel, err := s.reports.Release(r.Context(), period, r.PostFormValue("approve") == "on")
	if err != nil {
		f := &form{Values: map[string]string{"period": period}}
		if s.formErrors(s.language(w, r), err, f, "report.field.", true) {
			s.renderManage(w, r, http.StatusUnprocessableEntity, f)
			return
		}
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/reports/manage", "report.released", rel.ID)
}

func (s *Server) reportApprove(w http.ResponseWriter, r *http.Request) {
	rel, err := s.reports.Approve(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/reports/"+rel.ID, "report.approved_done", rel.ID)
}

// reportTable is a published table as the page shows it.
type reportTable struct {
	ID, Title, Population, Denominator string
	Unit                               string // what a cost per case is per
	Money                              bool   // the table sums money
	Empty                              bool
	Chart                              template.HTML
	Head                               []string // the row dimension's name, then the columns'
	Rows                               []reportRow
	Collapsed                          []string
}

type reportRow struct {
	Label string
	Cells []string
}

// ReportHeading is a release's title in words, from its period's name.
func (p page) ReportHeading(period string) string { return report.Heading(p.catalog, p.Lang, period) }

// ReportDates is a release's first and last days in words.
func (p page) ReportDates(d *report.Document) string { return d.Dates(p.catalog, p.Lang) }

// ReportTables lays out a release's tables: a chart of each table's
// breakdown (the margins of its last dimension; for a table by
// organization only, each organization) and its whole data table.
func (p page) ReportTables(d *report.Document) []reportTable {
	var out []reportTable
	for _, t := range d.Tables {
		v := reportTable{ID: "table-" + t.Name, Title: p.reportText("report.table."+t.Name, t.Name), Empty: t.Empty,
			Population: p.reportText("report.table."+t.Name+".population", t.Population)}
		if t.Denominator != "" {
			v.Denominator = p.reportText("report.table."+t.Name+".denominator", t.Denominator)
		}
		if t.Unit != "" {
			v.Unit = p.reportText("report.table."+t.Name+".unit", t.Unit)
		}
		v.Money = t.MoneyOf != ""
		for _, c := range t.Collapsed {
			v.Collapsed = append(v.Collapsed, p.T("report.collapsed."+strings.Fields(c)[0]))
		}
		if t.Empty {
			out = append(out, v)
			continue
		}
		last := len(t.Dims) - 1
		var bars []bar
		for _, c := range t.Cells {
			if report.IsTotal(c.Key[last]) || (last > 0 && !report.IsTotal(c.Key[0])) {
				continue
			}
			b := bar{Label: p.category(t.Dims[last].Name, c.Key[last]), Text: p.cellText(c)}
			if c.Cents != nil {
				b.Text = report.Dollars(p.catalog, p.Lang, *c.Cents) // the cost per case is in the table
			}
			if n, ok := report.BarValue(c); ok {
				b.Value = int(n)
			} else {
				b.Muted = true
			}
			bars = append(bars, b)
		}
		v.Chart = barChart("chart-"+t.Name, v.Title, bars, 0)
		// The data table: rows by the first dimension, columns by the
		// last (one "count" column for a table of one dimension).
		v.Head = []string{p.T("report.dim." + t.Dims[0].Name)}
		if last == 0 {
			head := "report.count"
			if t.ComplianceOf != "" {
				head = "report.share"
			}
			v.Head = append(v.Head, p.T(head))
			for _, c := range t.Cells {
				v.Rows = append(v.Rows, reportRow{Label: p.category(t.Dims[0].Name, c.Key[0]), Cells: []string{p.cellText(c)}})
			}
		} else {
			for _, c := range t.Dims[last].Categories {
				v.Head = append(v.Head, p.category(t.Dims[last].Name, c))
			}
			v.Head = append(v.Head, p.T("report.total"))
			cols := len(t.Dims[last].Categories) + 1
			for i := 0; i < len(t.Cells); i += cols {
				row := reportRow{Label: p.category(t.Dims[0].Name, t.Cells[i].Key[0])}
				for _, c := range t.Cells[i : i+cols] {
					row.Cells = append(row.Cells, p.cellText(c))
				}
				v.Rows = append(v.Rows, row)
			}
		}
		out = append(out, v)
	}
	return out
}

// reportText is the catalog's words for key, else the definition's own.
func (p page) reportText(key, own string) string {
	if p.catalog.Has(key) {
		return p.T(key)
	}
	return own
}

// category names a category as the reader reads it.
func (p page) category(dim, c string) string { return report.Category(p.catalog, p.Lang, dim, c) }

// GroupName is a priority group in the reader's words.
func (p page) GroupName(g string) string { return p.category(amparo.DimGroup, g) }

// cellText is a cell as the page writes it: its count, its percentage,
// or that it is suppressed.
func (p page) cellText(c report.Cell) string {
	if s, ok := report.ValueWords(p.catalog, p.Lang, c); ok {
		return s
	}
	if c.Count == nil {
		return p.T("report.suppressed")
	}
	s := p.Num(int(*c.Count))
	if c.Percent != nil {
		pc := strconv.FormatFloat(*c.Percent, 'f', 1, 64)
		if p.Lang == "es" {
			pc = strings.Replace(pc, ".", ",", 1)
		}
		s += " (" + pc + " %"
		if c.Unstable {
			s += ", " + p.T("report.unstable")
		}
		s += ")"
	}
	return s
}

// Fingerprint writes a release's hash in groups of eight, which a phone
// can wrap and a person can compare.
func (p page) Fingerprint(hash string) string {
	var groups []string
	for len(hash) > 8 {
		groups = append(groups, hash[:8])
		hash = hash[8:]
	}
	return strings.Join(append(groups, hash), " ")
}
