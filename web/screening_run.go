package web

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/screening"
)

// A vendor file screened from the web: its page shows the progress until
// the run is done (without JavaScript it refreshes itself; with it, a
// script follows the status and the progress bar is announced), then the
// results, downloadable as CSV.

// fileRow is a vendor of a screened file as its results table shows it.
type fileRow struct {
	VendorID       string
	Name           string
	Hits           int
	Affidavit      string
	Contradictions []amparo.Msg
}

func fileRows(rep *screening.FileReport) []fileRow {
	if rep == nil {
		return nil
	}
	out := make([]fileRow, len(rep.Reports))
	for i, r := range rep.Reports {
		row := fileRow{VendorID: r.Screening.VendorID, Name: r.Outcome.Vendor.Names[0], Hits: len(r.Outcome.Hits), Affidavit: r.Outcome.Affidavit}
		for _, h := range r.Outcome.Hits {
			for _, m := range h.Contradictions {
				row.Contradictions = append(row.Contradictions, stored(m))
			}
		}
		out[i] = row
	}
	return out
}

func (s *Server) vendorRun(w http.ResponseWriter, r *http.Request) {
	run, err := s.Screening.FindFileRun(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	if run.Finished && run.Err != nil {
		s.error(w, r, run.Err)
		return
	}
	lang := s.language(w, r)
	var problems []string
	if run.Report != nil {
		for _, e := range run.Report.Errors {
			problems = append(problems, e.Text(s.Catalog, lang))
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "vendors_screened", http.StatusOK, map[string]any{"Run": run, "File": run.Report, "Rows": fileRows(run.Report), "Problems": problems})
}

// vendorRunStatus is the run's progress for the page's script.
func (s *Server) vendorRunStatus(w http.ResponseWriter, r *http.Request) {
	run, err := s.Screening.FindFileRun(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	b, _ := json.Marshal(map[string]any{"done": run.Done, "total": run.Total, "finished": run.Finished,
		"text": s.Catalog.T(s.language(w, r), "screen.web.run.progress", run.Done, run.Total)})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// vendorRunCSV is the results of a finished run as CSV, formulas
// neutralized. A run still going is a conflict: its page says when.
func (s *Server) vendorRunCSV(w http.ResponseWriter, r *http.Request) {
	run, err := s.Screening.FindFileRun(r.Context(), r.PathValue("id"))
	if err == nil && !run.Finished {
		err = amparo.Errorf(amparo.ECONFLICT, "the run is not done").Localize("screen.web.run.not_done")
	} else if err == nil && run.Err != nil {
		err = run.Err
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	lang := s.language(w, r)
	var b bytes.Buffer
	if err := screening.WriteResultsCSV(&b, run.Report.Reports, func(m amparo.Msg) string { return s.msgText(lang, stored(m)) }); err != nil {
		s.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="vendors-screened.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}
