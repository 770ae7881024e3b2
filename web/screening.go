package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/screening"
)

// Vendors and their screening, for an organization's procurement
// officers; the disclosure affidavit, for anyone holding a solicitation's
// public link. Each handler makes one call to the vendor store or the
// screening service.
func (s *Server) screeningRoutes(mux *routes) {
	screens := may(amparo.Actor.ScreensVendors)
	mux.Allow("GET /vendors", screens, s.vendorList)
	mux.Allow("POST /vendors/upload", screens, s.vendorUpload)
	mux.Allow("GET /vendors/solicitations", screens, s.solicitationList)
	mux.Allow("POST /vendors/solicitations", screens, s.solicitationCreate)
	mux.Allow("GET /vendor-files/{id}", screens, s.vendorRun)
	mux.Allow("GET /vendor-files/{id}/status", screens, s.vendorRunStatus)
	mux.Allow("GET /vendor-files/{id}/results.csv", screens, s.vendorRunCSV)
	mux.Allow("GET /vendors/{id}", screens, s.vendorView)
	mux.Allow("GET /vendors/{id}/edit", screens, s.vendorEdit)
	mux.Allow("POST /vendors/{id}/edit", screens, s.vendorUpdate)
	mux.Allow("POST /vendors/{id}/screen", screens, s.vendorScreen)
	mux.Allow("POST /vendors/{id}/decide", screens, s.vendorDecide)
	mux.HandleFunc("GET /affidavit/{token}", s.affidavitForm)
	mux.HandleFunc("POST /affidavit/{token}", s.affidavitSubmit)
}

func (s *Server) vendorList(w http.ResponseWriter, r *http.Request) {
	vs, err := s.Vendors.FindVendors(r.Context(), sessionFrom(r.Context()).Account.OrganizationID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "vendors", http.StatusOK, map[string]any{"Vendors": vs})
}

// vendorUpload reads the file at once (a refused file is answered here,
// its rows named) and screens its vendors in the background: the answer
// is the run's page, which follows the progress.
func (s *Server) vendorUpload(w http.ResponseWriter, r *http.Request) {
	lang := s.language(w, r)
	file, _, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, s.Catalog.T(lang, "form.too_large"), http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, s.Catalog.T(lang, "applicants.no_file"), http.StatusBadRequest)
		}
		return
	}
	defer file.Close()
	id, err := s.Screening.StartFile(r.Context(), file, screening.ImportOptions{Partial: r.FormValue("partial") == "on"})
	var list screening.ImportErrorList
	switch {
	case errors.As(err, &list):
		var problems []string
		for _, e := range list {
			problems = append(problems, e.Text(s.Catalog, lang))
		}
		s.render(w, r, "vendors_screened", http.StatusUnprocessableEntity, map[string]any{"Problems": problems})
	case err != nil:
		s.error(w, r, err)
	default:
		http.Redirect(w, r, "/vendor-files/"+id, http.StatusSeeOther)
	}
}

func (s *Server) solicitationCreate(w http.ResponseWriter, r *http.Request) {
	sol := &amparo.Solicitation{Title: r.PostFormValue("title")}
	if err := s.Vendors.CreateSolicitation(r.Context(), sol); err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "vendors_solicitation", http.StatusOK, map[string]any{"Solicitation": sol, "Link": s.publicURL(r, "/affidavit/"+sol.Token)})
}

func (s *Server) vendorView(w http.ResponseWriter, r *http.Request) {
	v, err := s.Vendors.FindVendorByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	rep, err := s.Screening.LatestReport(r.Context(), v.ID)
	if err != nil && amparo.ErrorCode(err) != amparo.ENOTFOUND {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "vendor", http.StatusOK, map[string]any{"Vendor": v, "Report": rep, "Hits": hitViews(rep)})
}

func (s *Server) vendorScreen(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Screening.ScreenVendor(r.Context(), r.PathValue("id")); err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/vendors/"+r.PathValue("id"), "screen.web.screened")
}

func (s *Server) vendorDecide(w http.ResponseWriter, r *http.Request) {
	err := s.Screening.DecideHit(r.Context(), r.PostFormValue("screening"), r.PostFormValue("entity"),
		amparo.HitVerdict(r.PostFormValue("verdict")), r.PostFormValue("reason"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.done(w, r, "/vendors/"+r.PathValue("id"), "screen.web.decided")
}

func (s *Server) affidavitForm(w http.ResponseWriter, r *http.Request) {
	r = visitorCtx(r)
	sol, err := s.Vendors.FindSolicitationByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.render(w, r, "affidavit", http.StatusOK, map[string]any{"Solicitation": sol, "Form": &form{Values: map[string]string{}}})
}

func (s *Server) affidavitSubmit(w http.ResponseWriter, r *http.Request) {
	r = visitorCtx(r)
	lang := s.language(w, r)
	token := r.PathValue("token")
	sol, err := s.Vendors.FindSolicitationByToken(r.Context(), token)
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := &form{Values: map[string]string{}}
	for _, k := range []string{"name", "uei", "ein", "address", "work", "signer_name", "signer_title", "attestation", "declares"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	a := &amparo.Affidavit{Vendor: amparo.Vendor{Name: f.Values["name"], Address: f.Values["address"]},
		BorderWallWork: f.Values["declares"] == "work", Work: f.Values["work"],
		SignerName: f.Values["signer_name"], SignerTitle: f.Values["signer_title"], Attestation: f.Values["attestation"]}
	for _, k := range []amparo.RegistryIdentifierKind{amparo.RegistryUEI, amparo.RegistryEIN} {
		if v := f.Values[string(k)]; v != "" {
			a.Vendor.Identifiers = append(a.Vendor.Identifiers, amparo.RegistryIdentifier{Kind: k, Value: v})
		}
	}
	if f.Values["declares"] != "work" && f.Values["declares"] != "none" {
		// Not sent: every other problem is shown with this one.
		f.add("declares", s.Catalog.T(lang, "screen.affidavit.err.declares"))
		s.formErrors(lang, a.Validate(), f, "screen.affidavit.none.", true)
	} else if err := s.Vendors.SubmitAffidavit(r.Context(), token, a); err != nil {
		if !s.formErrors(lang, err, f, "screen.affidavit.none.", true) {
			s.error(w, r, err)
			return
		}
	} else {
		s.render(w, r, "affidavit_done", http.StatusOK, map[string]any{"Solicitation": sol, "Affidavit": a})
		return
	}
	s.render(w, r, "affidavit", http.StatusUnprocessableEntity, map[string]any{"Solicitation": sol, "Form": f})
}

// publicURL is the address of p for people outside: at the deployment's
// public URL, or where the request came.
func (s *Server) publicURL(r *http.Request, p string) string {
	if s.Deployment.PublicURL != nil {
		return s.Deployment.PublicURL.JoinPath(p).String()
	}
	scheme := "http"
	if overHTTPS(r) { // not secureContext: a browser trusts http://localhost, but it is still http
		scheme = "https"
	}
	return scheme + "://" + r.Host + p
}

// hitView is a hit as the vendor page shows it: every sentence a catalog
// message, read in the reader's language.
type hitView struct {
	screening.Hit
	Review         screening.HitReview
	Decision       amparo.Msg
	Features       []amparo.Msg
	Findings       []amparo.Msg
	Contradictions []amparo.Msg
}

func hitViews(rep *screening.Report) []hitView {
	if rep == nil {
		return nil
	}
	var out []hitView
	for i, h := range rep.Outcome.Hits {
		v := hitView{Hit: h, Review: rep.Decisions[i], Decision: amparo.Msg{Key: h.Result.Decision.Key()}}
		for _, f := range h.Result.Features {
			v.Features = append(v.Features, amparo.Msg{Key: f.Key, Args: f.Args})
		}
		for _, f := range h.Findings {
			v.Findings = append(v.Findings, stored(f.Summary))
			for _, m := range f.Reasons {
				v.Findings = append(v.Findings, stored(m))
			}
		}
		for _, m := range h.Contradictions {
			v.Contradictions = append(v.Contradictions, stored(m))
		}
		out = append(out, v)
	}
	return out
}

// stored turns a message read back from JSON, whose inner messages are
// maps, into messages again.
func stored(m amparo.Msg) amparo.Msg {
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if mm, ok := a.(map[string]any); ok {
			key, _ := mm["Key"].(string)
			inner, _ := mm["Args"].([]any)
			a = stored(amparo.Msg{Key: key, Args: inner})
		}
		args[i] = a
	}
	return amparo.Msg{Key: m.Key, Args: args}
}
