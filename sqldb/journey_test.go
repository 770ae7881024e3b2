package sqldb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/csvimport"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// TestJourney_IntakeToLetter walks, in the store and on both databases,
// the path web's TestJourney_IntakeToLetter walks in Chromium: a person
// applies leaving the situation unanswered, applies again detained, staff
// find them, the queue ranks them, a match is accepted, intake staff send
// the draft for approval, the member named approves it (another member
// cannot), the credential verifies, the phone link opens and resists
// guessing, a renewal keeps the old card valid and the link, and a
// revocation shows everywhere.
func TestJourney_IntakeToLetter(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Now()
		db.Now = func() time.Time { return now }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		attorney := storetest.MustCreateMember(t, db, org.ID, "900001")
		colleague := storetest.MustCreateMember(t, db, org.ID, "900002")
		person := amparo.NewContextWithActor(context.Background(), amparo.PublicIntakeActor(org.ID))
		staff := as(amparo.RoleIntake, org.ID)
		admin := as(amparo.RoleOrgAdmin, org.ID)
		signer := storetest.SignerFor(t, db, attorney)
		visitor := amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "public"})

		// The person applies, leaving the situation unanswered.
		name, born := "Julia Ejemplo Muestra", amparo.Date{Time: time.Date(1990, 4, 12, 0, 0, 0, 0, time.UTC)}
		key := csvimport.RowKey([]byte("journey"), name, born)
		consent := []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: now.UTC().Truncate(time.Second),
			RecordedBy: amparo.ApplicantActorID, Language: "es"}}
		first := &amparo.Applicant{Key: key, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, BirthDate: born,
			Language: "es", Phone: "213-555-0166", Consents: consent}}}
		if created, err := db.SubmitApplicant(person, first, ""); err != nil || !created {
			t.Fatalf("first intake: created %v, %v", created, err)
		}
		if facts := intake.ScoredFacts(first, now); len(facts) != 0 {
			t.Fatalf("an intake that answered nothing scored %v", facts)
		}

		// They apply again, now detained and seeking asylum, giving the code.
		again := &amparo.Applicant{Key: key, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, BirthDate: born,
			Language: "es", Situation: amparo.SituationAsylum, Detained: true, Consents: consent}}}
		if created, err := db.SubmitApplicant(person, again, first.Reference); err != nil || created || again.ID != first.ID {
			t.Fatalf("second intake: created %v, id %s (first %s), %v", created, again.ID, first.ID, err)
		}

		// Staff find them by the code and by name, with the phone and the update.
		for _, f := range []amparo.ApplicantFilter{{Reference: strings.ToLower(first.Reference)}, {Name: "julia muestra"}} {
			found, n, err := db.FindApplicants(staff, f)
			if err != nil || n != 1 || found[0].ID != first.ID || found[0].Phone != "213-555-0166" || !found[0].Detained {
				t.Fatalf("staff search %+v: %d found, %v", f, n, err)
			}
		}
		events, err := db.FindApplicantEvents(staff, first.ID)
		if err != nil || len(events) != 1 || events[0].ActorID != amparo.ApplicantActorID || !hasChange(events[0].Changes, "detained", "true") {
			t.Fatalf("history after writing again: %+v, %v", events, err)
		}

		// The queue puts them in the detained tier, and a match is proposed.
		policy, err := db.CurrentPolicy(staff)
		if err != nil {
			t.Fatal(err)
		}
		waiting, err := intake.Waitlist(staff, db, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		q, err := intake.Rank(policy, waiting, now)
		if err != nil {
			t.Fatal(err)
		}
		if pl, ok := q.Lookup(first.ID); !ok || pl.Tier != 2 {
			t.Fatalf("place %+v (found %v), want tier 2 (detained)", pl, ok)
		}
		members, _, err := db.FindMembers(admin, amparo.MemberFilter{OrganizationID: org.ID, Status: amparo.MemberActive})
		if err != nil {
			t.Fatal(err)
		}
		left, err := db.LettersLeft(admin)
		if err != nil {
			t.Fatal(err)
		}
		proposal, err := intake.Propose(q, org, members, nil, nil, left)
		if err != nil || len(proposal.Matches) != 1 || proposal.Matches[0].ApplicantID != first.ID {
			t.Fatalf("proposal %+v, %v", proposal, err)
		}

		// Accepting makes the client, after the conflict check, and a draft.
		matches := &intake.Matches{Applicants: db, Members: db, Conflicts: db, Letters: db}
		acc, err := matches.Accept(admin, intake.Acceptance{ApplicantID: first.ID, MemberID: attorney.ID})
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.FindClientByID(admin, acc.Client.ID)
		if err != nil || c.LegalName != name || c.Phone != "213-555-0166" || !c.Detained || len(c.Consents) != 1 {
			t.Fatalf("the client made from the applicant: %+v, %v", c, err)
		}
		if events, _ := db.FindApplicantEvents(staff, first.ID); !strings.Contains(events[len(events)-1].Reason, "conflict check") {
			t.Fatalf("the history does not say the conflict check ran: %+v", events[len(events)-1])
		}
		if acc.Letter == nil || acc.Letter.Status != amparo.LetterDraft || acc.Letter.MemberID != attorney.ID {
			t.Fatalf("draft %+v", acc.Letter)
		}

		// Intake staff send it for approval; only the member named approves.
		if _, err := db.SubmitLetter(staff, acc.Letter.ID); err != nil {
			t.Fatal(err)
		}
		for who, ctx := range map[string]context.Context{"intake": staff, "admin": admin, "colleague": storetest.SignerFor(t, db, colleague)} {
			_, err := db.IssueLetter(ctx, acc.Letter.ID)
			if amparo.ErrorCode(err) != amparo.EFORBIDDEN {
				t.Fatalf("%s issued a letter in another's name: %v", who, err)
			}
		}
		if _, err := db.IssueLetter(signer, acc.Letter.ID); err != nil {
			t.Fatal(err)
		}
		l, err := db.FindLetterByID(signer, acc.Letter.ID)
		if err != nil {
			t.Fatal(err)
		}
		if ap, _ := db.FindApplicantByID(staff, first.ID); ap.Status != amparo.ApplicantServed {
			t.Fatalf("after issuing, the applicant is %s", ap.Status)
		}
		res := wantStatus(t, verifier(t, db), l.QR, credential.StatusValid)
		if res.ClaimsV2.ClientName != name || !res.ClaimsV2.Expires.Equal(l.ValidUntil) {
			t.Fatalf("claims %+v, want %s until %s", res.ClaimsV2, name, l.ValidUntil)
		}

		// The phone link opens with the PIN; guesses from elsewhere lock only
		// their own address.
		link, err := db.FindPhoneLink(staff, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		page, err := db.OpenPhoneLetter(visitor, link.Token, link.PIN, "198.51.100.7")
		if err != nil || page.LetterID != l.ID || page.ClientName != name {
			t.Fatalf("phone page %+v, %v", page, err)
		}
		wrong := string('0'+(link.PIN[0]-'0'+1)%10) + link.PIN[1:]
		for range 4 {
			if _, err := db.OpenPhoneLetter(visitor, link.Token, wrong, "203.0.113.9"); err == nil {
				t.Fatal("a wrong PIN opened the page")
			}
		}
		if _, err := db.OpenPhoneLetter(visitor, link.Token, link.PIN, "203.0.113.9"); amparo.ErrorCode(err) != amparo.ECONFLICT {
			t.Fatalf("the guessing address is not locked: %v", err)
		}
		if _, err := db.PhoneLetterByLink(visitor, page.LinkID); err != nil {
			t.Fatalf("the client's opened page is locked by another's guesses: %v", err)
		}
		if _, err := db.OpenPhoneLetter(visitor, link.Token, link.PIN, "198.51.100.7"); err != nil {
			t.Fatalf("the client's address is locked by another's guesses: %v", err)
		}

		// Renewal: the card the client carries still verifies, and the same
		// link shows the new letter.
		now = now.AddDate(0, 10, 0)
		next, err := db.RenewLetter(signer, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		next, _ = db.FindLetterByID(signer, next.ID)
		v := verifier(t, db)
		wantStatus(t, v, l.QR, credential.StatusValid)
		wantStatus(t, v, next.QR, credential.StatusValid)
		page, err = db.PhoneLetterByLink(visitor, page.LinkID)
		if err != nil || page.LetterID != next.ID || page.QR != next.QR {
			t.Fatalf("after renewal the link shows %+v, %v; want letter %s", page, err, next.ID)
		}
		if got, _ := db.FindPhoneLink(staff, next.ID); got.Token != link.Token || got.PIN != link.PIN {
			t.Fatal("renewal changed the client's link or PIN")
		}

		// Revoked on purpose, with a reason: the verifier and the phone page say so.
		if _, err := db.RevokeLetter(signer, next.ID, "Terminó la representación"); err != nil {
			t.Fatal(err)
		}
		v = verifier(t, db)
		wantStatus(t, v, next.QR, credential.StatusRevoked)
		// The older card the client may still carry stops working with it.
		wantStatus(t, v, l.QR, credential.StatusRevoked)
		page, err = db.PhoneLetterByLink(visitor, page.LinkID)
		if err != nil || page.LetterID != next.ID || page.Status != amparo.LetterRevoked {
			t.Fatalf("after revoking, the phone page: %+v, %v", page, err)
		}
	})
}

func hasChange(cs []amparo.ApplicantChange, field, value string) bool {
	for _, c := range cs {
		if c.Field == field && c.New == value {
			return true
		}
	}
	return false
}
