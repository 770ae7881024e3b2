package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// mustCreateApplicant stores a fictional applicant of org who consented
// to the program keeping their data.
func mustCreateApplicant(t *testing.T, db *sqldb.DB, orgID, name string) *amparo.Applicant {
	t.Helper()
	a := &amparo.Applicant{Key: "k-" + name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es",
		Phone: "+1 213 555 0123", Situation: amparo.SituationAsylum, BirthDate: amparo.MustDate("1990-04-02"),
		Consents: []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC),
			RecordedBy: "public-intake", Language: "es"}}}, Unhoused: true}}
	if _, err := db.CreateApplicants(as(amparo.RoleIntake, orgID), []*amparo.Applicant{a}); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestApplicantService_AcceptMatch(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		other := storetest.MustCreateOrganization(t, db, "Organization B Sample")
		m, foreign := storetest.MustCreateMember(t, db, org.ID, "900001"), storetest.MustCreateMember(t, db, other.ID, "900002")
		a := mustCreateApplicant(t, db, org.ID, "Rosa Ejemplo Prueba")
		member := as(amparo.RoleMember, org.ID)
		fromApplicant := func() *amparo.Client { return &amparo.Client{Personal: a.Personal} }
		noClient := func(t *testing.T) {
			t.Helper()
			if _, n, err := db.FindClients(member, amparo.ClientFilter{}); err != nil || n != 0 {
				t.Fatalf("%d clients after a refused acceptance (%v)", n, err)
			}
			if got, _ := db.FindApplicantByID(member, a.ID); got.Status != amparo.ApplicantNew {
				t.Fatalf("a refused acceptance left the applicant %s", got.Status)
			}
		}

		t.Run("MemberOfAnotherOrganization", func(t *testing.T) {
			wantCode(t, db.AcceptMatch(member, a.ID, foreign.ID, "accepted", fromApplicant()), amparo.ENOTFOUND)
			wantCode(t, db.SetApplicantStatus(member, a.ID, amparo.ApplicantWaitlisted, foreign.ID, "no room"), amparo.ENOTFOUND)
			wantCode(t, db.SetApplicantStatus(member, a.ID, amparo.ApplicantMatched, foreign.ID, "accepted"), amparo.ENOTFOUND)
			noClient(t)
		})
		t.Run("MadeUpMember", func(t *testing.T) {
			madeUp := amparo.NewID()
			wantCode(t, db.AcceptMatch(member, a.ID, madeUp, "accepted", fromApplicant()), amparo.ENOTFOUND)
			wantCode(t, db.SetApplicantStatus(member, a.ID, amparo.ApplicantWaitlisted, madeUp, "no room"), amparo.ENOTFOUND)
			noClient(t)
			if events, err := db.FindApplicantEvents(member, a.ID); err != nil || len(events) != 0 {
				t.Fatalf("refused decisions left %d events (%v)", len(events), err)
			}
		})
		t.Run("NotTheirsToDecide", func(t *testing.T) {
			wantCode(t, db.AcceptMatch(as(amparo.RoleIntake, org.ID), a.ID, m.ID, "accepted", fromApplicant()), amparo.EFORBIDDEN)
			wantCode(t, db.AcceptMatch(as(amparo.RoleMember, other.ID), a.ID, foreign.ID, "accepted", fromApplicant()), amparo.ENOTFOUND)
			noClient(t)
		})
		t.Run("InvalidClientStoresNothing", func(t *testing.T) {
			c := fromApplicant()
			c.LegalName = "Rosa"
			err := db.AcceptMatch(member, a.ID, m.ID, "accepted", c)
			wantCode(t, err, amparo.EINVALID)
			if amparo.ErrorField(err) != "legal_name" {
				t.Fatalf("field %q", amparo.ErrorField(err))
			}
			noClient(t)
		})

		var c *amparo.Client
		t.Run("CreatesTheClientAndLinksIt", func(t *testing.T) {
			c = fromApplicant()
			if err := db.AcceptMatch(member, a.ID, m.ID, "accepted", c); err != nil {
				t.Fatal(err)
			}
			got, err := db.FindApplicantClient(member, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != c.ID || got.OrganizationID != org.ID || got.LegalName != "Rosa Ejemplo Prueba" || got.Phone != "+1 213 555 0123" ||
				got.BirthDate != a.BirthDate || len(got.Consents) != 1 || got.Consents[0].Purpose != amparo.ConsentDataStorage ||
				got.Consents[0].RecordedBy != "public-intake" {
				t.Fatalf("the client made from the applicant: %+v", got)
			}
			ap, _ := db.FindApplicantByID(member, a.ID)
			if ap.Status != amparo.ApplicantMatched || ap.MemberID != m.ID {
				t.Fatalf("applicant %s, member %s", ap.Status, ap.MemberID)
			}
			// Accepting again (a double submit) makes nothing new; to
			// another member, it is refused.
			again := fromApplicant()
			if err := db.AcceptMatch(member, a.ID, m.ID, "accepted", again); err != nil || again.ID != c.ID {
				t.Fatalf("accepting again: client %s, want %s (%v)", again.ID, c.ID, err)
			}
			m2 := storetest.MustCreateMember(t, db, org.ID, "900003")
			wantCode(t, db.AcceptMatch(member, a.ID, m2.ID, "accepted", fromApplicant()), amparo.ECONFLICT)
			wantCode(t, db.AcceptMatch(as(amparo.RoleIntake, org.ID), a.ID, m.ID, "accepted", fromApplicant()), amparo.EFORBIDDEN)
			if events, _ := db.FindApplicantEvents(member, a.ID); len(events) != 1 {
				t.Fatalf("%d events after accepting twice", len(events))
			}
			if _, n, _ := db.FindClients(member, amparo.ClientFilter{}); n != 1 {
				t.Fatalf("%d clients after accepting twice", n)
			}
			_, err = db.FindApplicantClient(as(amparo.RoleMember, other.ID), a.ID)
			wantCode(t, err, amparo.ENOTFOUND)
			b := mustCreateApplicant(t, db, org.ID, "Luis Muestra Ficticio")
			_, err = db.FindApplicantClient(member, b.ID)
			wantCode(t, err, amparo.ENOTFOUND)
		})
		t.Run("ServedWhenTheLetterIsIssued", func(t *testing.T) {
			l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID, Languages: []string{"es"}}
			if err := db.CreateLetter(as(amparo.RoleIntake, org.ID), l); err != nil {
				t.Fatal(err)
			}
			if ap, _ := db.FindApplicantByID(member, a.ID); ap.Status != amparo.ApplicantMatched {
				t.Fatalf("a draft made the applicant %s", ap.Status)
			}
			if _, err := db.IssueLetter(storetest.SignerFor(t, db, m), l.ID); err != nil {
				t.Fatal(err)
			}
			ap, _ := db.FindApplicantByID(member, a.ID)
			if ap.Status != amparo.ApplicantServed {
				t.Fatalf("after the letter is issued the applicant is %s", ap.Status)
			}
			events, _ := db.FindApplicantEvents(member, a.ID)
			if n := len(events); n != 2 || events[0].Status != amparo.ApplicantMatched || events[1].Status != amparo.ApplicantServed ||
				events[1].MemberID != m.ID || !strings.Contains(events[1].Reason, "letter") {
				t.Fatalf("history %+v", events)
			}
			// A client made otherwise has no applicant to follow.
			mustIssue(t, db, org, m)
		})
	})
}

func TestClientService_UpdateClient_Stale(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleMember, org.ID)
		c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{})
		first, _ := db.FindClientByID(ctx, c.ID)
		second, _ := db.FindClientByID(ctx, c.ID)
		first.Phone = "+1 213 555 0177"
		if err := db.UpdateClient(ctx, first); err != nil {
			t.Fatal(err)
		}
		second.LegalName = "Nombre Viejo Ejemplo"
		wantCode(t, db.UpdateClient(ctx, second), amparo.ECONFLICT)
		got, _ := db.FindClientByID(ctx, c.ID)
		if got.Phone != "+1 213 555 0177" || got.LegalName != c.LegalName {
			t.Fatalf("a stale edit overwrote the record: %+v", got.Personal)
		}
		// Read again, the edit saves.
		got.LegalName = "Nombre Nuevo Ejemplo"
		if err := db.UpdateClient(ctx, got); err != nil {
			t.Fatal(err)
		}
	})
}
