package web

import (
	"net/http"
	"strings"

	"github.com/amparo-project/amparo"
)

// The procurement officer's solicitations, with their affidavit links,
// and the vendor edit page.

func (s *Server) solicitationList(w http.ResponseWriter, r *http.Request) {
	sols, err := s.Vendors.FindSolicitations(r.Context(), sessionFrom(r.Context()).Account.OrganizationID)
	if err != nil {
		s.error(w, r, err)
		return
	}
	links := make(map[string]string, len(sols))
	for _, sol := range sols {
		if sol.Token != "" {
			links[sol.ID] = s.publicURL(r, "/affidavit/"+sol.Token)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "vendors_solicitations", http.StatusOK, map[string]any{"Solicitations": sols, "Links": links})
}

// vendorEditKinds are the identifiers the edit page shows, in its order;
// a vendor's identifiers of other kinds are kept as they are.
var vendorEditKinds = []amparo.RegistryIdentifierKind{amparo.RegistryUEI, amparo.RegistryEIN, amparo.RegistryDUNS, amparo.RegistryCALicense}

func (s *Server) vendorEdit(w http.ResponseWriter, r *http.Request) {
	v, err := s.Vendors.FindVendorByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	f := &form{Values: map[string]string{"name": v.Name, "aliases": strings.Join(v.Aliases, "\n"), "address": v.Address}}
	for _, k := range vendorEditKinds {
		f.Values[string(k)] = v.Identifier(k)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "vendor_edit", http.StatusOK, map[string]any{"Vendor": v, "Form": f})
}

func (s *Server) vendorUpdate(w http.ResponseWriter, r *http.Request) {
	lang := s.language(w, r)
	f := &form{Values: map[string]string{}}
	for _, k := range []string{"name", "aliases", "address", "uei", "ein", "duns", "ca_license"} {
		f.Values[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	nv := &amparo.Vendor{ID: r.PathValue("id"), Name: f.Values["name"], Address: f.Values["address"]}
	for _, a := range strings.Split(f.Values["aliases"], "\n") {
		if a = strings.TrimSpace(a); a != "" {
			nv.Aliases = append(nv.Aliases, a)
		}
	}
	for _, k := range vendorEditKinds {
		if val := f.Values[string(k)]; val != "" {
			nv.Identifiers = append(nv.Identifiers, amparo.RegistryIdentifier{Kind: k, Value: val})
		}
	}
	v, err := s.Screening.EditVendor(r.Context(), nv, vendorEditKinds)
	if err != nil {
		if v == nil || !s.formErrors(lang, err, f, "screen.vendor.edit.err.", true) {
			s.error(w, r, err)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		s.render(w, r, "vendor_edit", http.StatusUnprocessableEntity, map[string]any{"Vendor": v, "Form": f})
		return
	}
	s.done(w, r, "/vendors/"+v.ID, "screen.web.edited")
}
