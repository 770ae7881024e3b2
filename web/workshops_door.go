package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/amparo-project/amparo"
)

// The offline door. The check-in page's script keeps, in the organizer's
// browser, the workshop's ticket public key, its tickets' codes (no names)
// and the codes checked in; it checks tickets there, signal or not, and
// queues each scan with its own nonce, uploading the queue when online:
// the store counts a nonce once, so a retried upload counts nothing twice.

// doorOutcomes are the outcomes whose words the script shows, written by
// party size (their plural forms) with the code left as "{code}".
var doorOutcomes = []amparo.CheckInOutcome{amparo.CheckInOK, amparo.CheckInAlready, amparo.CheckInCancelled}

// workshopDoorList answers the script: the key, the tickets, and the
// words of every outcome in the reader's language.
func (s *Server) workshopDoorList(w http.ResponseWriter, r *http.Request) {
	door, err := s.Workshops.DoorList(r.Context(), r.PathValue("id"))
	if err != nil {
		s.jsonError(w, r, err)
		return
	}
	lang := s.language(w, r)
	words := map[string]any{}
	for _, o := range doorOutcomes {
		byParty := make([]string, amparo.MaxPartySize+1)
		for n := 1; n <= amparo.MaxPartySize; n++ {
			byParty[n] = s.Catalog.T(lang, "checkin.outcome."+string(o), n, "{code}")
		}
		words[string(o)] = byParty
	}
	walkIns := make([]string, maxWalkInWords+1)
	for n := 1; n <= maxWalkInWords; n++ {
		walkIns[n] = s.Catalog.T(lang, "checkin.outcome.walk_in", n)
	}
	words["walk_in"] = walkIns
	for _, k := range []string{"unknown", "other_workshop", "forged"} {
		words[k] = s.Catalog.T(lang, "checkin.outcome."+k)
	}
	for _, k := range []string{"door.queued", "door.uploaded", "door.offline", "door.ready", "door.no_qr", "door.camera_off", "door.failed"} {
		words[k] = s.Catalog.T(lang, "checkin."+k)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeDoorJSON(w, http.StatusOK, map[string]any{"workshop": door.WorkshopID, "key": base64.RawURLEncoding.EncodeToString(door.PublicKey),
		"tickets": door.Tickets, "words": words})
}

// maxWalkInWords is the largest walk-in party the script has words for:
// the store's bound.
const maxWalkInWords = 50

// doorScan is one queued scan, as the script uploads it.
type doorScan struct {
	Nonce  string `json:"nonce"`
	Code   string `json:"code,omitempty"`
	Ticket string `json:"ticket,omitempty"`
	WalkIn int    `json:"walk_in,omitempty"`
}

// doorResult is the store's answer to one scan, or why it refused it.
type doorResult struct {
	Nonce   string `json:"nonce"`
	Outcome string `json:"outcome,omitempty"`
	Code    string `json:"code,omitempty"`
	Repeat  bool   `json:"repeat,omitempty"`
	Error   string `json:"error,omitempty"`
}

// workshopDoorUpload records a queue of scans, each by its nonce.
func (s *Server) workshopDoorUpload(w http.ResponseWriter, r *http.Request) {
	var scans []doorScan
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&scans); err != nil {
		scans = nil // refused as none, once the reader may see the workshop
	}
	cs := make([]amparo.CheckIn, len(scans))
	for i, sc := range scans {
		cs[i] = amparo.CheckIn{Nonce: sc.Nonce, Code: sc.Code, Ticket: sc.Ticket, WalkIn: sc.WalkIn}
	}
	res, errs, err := s.Workshops.CheckIns(r.Context(), r.PathValue("id"), cs)
	if err != nil {
		s.jsonError(w, r, err)
		return
	}
	lang := s.language(w, r)
	out := make([]doorResult, len(scans))
	for i, sc := range scans {
		out[i].Nonce = sc.Nonce
		if errs[i] != nil {
			out[i].Error = s.errorText(lang, errs[i])
			continue
		}
		out[i].Outcome, out[i].Code, out[i].Repeat = string(res[i].Outcome), res[i].Code, res[i].Repeat
	}
	writeDoorJSON(w, http.StatusOK, map[string]any{"results": out})
}

// jsonError answers the script with the error's status and its words.
// Another organization's workshop is not found, as on its pages.
func (s *Server) jsonError(w http.ResponseWriter, r *http.Request, err error) {
	if amparo.ErrorCode(err) == amparo.EFORBIDDEN {
		err = amparo.Errorf(amparo.ENOTFOUND, "workshop not found").Localize("workshop.err.not_found")
	}
	code := amparo.ErrorCode(err)
	if code == amparo.EINTERNAL {
		s.Logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "route", r.Pattern, "err", err)
	}
	writeDoorJSON(w, statusOf(code), map[string]string{"error": s.errorText(s.language(w, r), err), "code": code})
}

func writeDoorJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}
