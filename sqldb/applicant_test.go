package sqldb_test

import (
	"context"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

func TestApplicantService(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleIntake, org.ID)
		ap := func(key, name string) *amparo.Applicant {
			return &amparo.Applicant{Key: key, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es", Situation: amparo.SituationTPS, TPSCountry: "SV"}, Unhoused: true}}
		}
		n, err := db.CreateApplicants(ctx, []*amparo.Applicant{ap("k1", "Ana Ejemplo"), ap("k2", "Luis Prueba")})
		if err != nil || n != 2 {
			t.Fatalf("created %d: %v", n, err)
		}
		if n, err := db.CreateApplicants(ctx, []*amparo.Applicant{ap("k1", "Ana Ejemplo"), ap("k3", "Eva Muestra")}); err != nil || n != 1 {
			t.Fatalf("second batch created %d (want 1, the known one skipped): %v", n, err)
		}
		got, total, err := db.FindApplicants(ctx, amparo.ApplicantFilter{})
		if err != nil || total != 3 {
			t.Fatalf("%d applicants: %v", total, err)
		}
		names := map[string]bool{}
		for _, a := range got {
			names[a.LegalName] = a.Unhoused && a.Status == amparo.ApplicantNew && a.TPSCountry == "SV"
		}
		if !names["Ana Ejemplo"] || !names["Luis Prueba"] || !names["Eva Muestra"] {
			t.Fatalf("applicants read back: %v", names)
		}
		_, err = db.CreateApplicants(as(amparo.RoleIntake, "other"), []*amparo.Applicant{{OrganizationID: org.ID, Key: "k9"}})
		wantCode(t, err, amparo.EFORBIDDEN)
		_, _, err = db.FindApplicants(as(amparo.RoleFundOfficer, ""), amparo.ApplicantFilter{})
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

func TestApplicantService_Decisions(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		intake := as(amparo.RoleIntake, org.ID)
		a := &amparo.Applicant{Key: "k1", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Ana Ejemplo", Language: "es", Situation: amparo.SituationDACA}}}
		if _, err := db.CreateApplicants(intake, []*amparo.Applicant{a}); err != nil {
			t.Fatal(err)
		}
		member := as(amparo.RoleMember, org.ID)
		wantCode(t, db.SetApplicantStatus(intake, a.ID, amparo.ApplicantMatched, m.ID, ""), amparo.EFORBIDDEN)
		wantCode(t, db.SetApplicantStatus(member, a.ID, amparo.ApplicantWaitlisted, m.ID, " "), amparo.EINVALID)
		if err := db.SetApplicantStatus(member, a.ID, amparo.ApplicantWaitlisted, m.ID, "Conflicto: la Sra. Ejemplo es parte contraria"); err != nil {
			t.Fatal(err)
		}
		if err := db.SetApplicantStatus(member, a.ID, amparo.ApplicantMatched, m.ID, "accepted"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.SetApplicantStatus(as(amparo.RoleMember, "other"), a.ID, amparo.ApplicantServed, "", "x"), amparo.ENOTFOUND)
		events, err := db.FindApplicantEvents(member, a.ID)
		if err != nil || len(events) != 2 || events[0].Reason != "Conflicto: la Sra. Ejemplo es parte contraria" || events[1].Status != amparo.ApplicantMatched {
			t.Fatalf("events %+v %v", events, err)
		}
		got, _, _ := db.FindApplicants(member, amparo.ApplicantFilter{Status: amparo.ApplicantMatched})
		if len(got) != 1 || got[0].MemberID != m.ID {
			t.Fatalf("matched applicants %+v", got)
		}
		if left, err := db.LettersLeft(as(amparo.RoleFundOfficer, "")); err != nil || left != 499 {
			t.Fatalf("letters left %d, %v; want 500 less the one matched", left, err)
		}
	})
}

// TestApplicantService_SubmitAgain: a person who writes again updates their
// record, with the history of what changed, by whom; the same form twice
// changes nothing; the reference code given opens the record.
func TestApplicantService_SubmitAgain(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		person := amparo.NewContextWithActor(context.Background(), amparo.PublicIntakeActor(org.ID))
		staff := as(amparo.RoleIntake, org.ID)
		first := &amparo.Applicant{Key: "k-rosa", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Rosa Ejemplo Prueba", Language: "es", Phone: "213-555-0101"}}}
		created, err := db.SubmitApplicant(person, first, "")
		if err != nil || !created || len(first.Reference) != amparo.ReferenceLen || first.ID == "" {
			t.Fatalf("first: created %v, %+v, %v", created, first, err)
		}
		again := &amparo.Applicant{Key: "k-rosa", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Rosa Ejemplo Prueba", Language: "es",
			Situation: amparo.SituationAsylum, Detained: true}}}
		created, err = db.SubmitApplicant(person, again, "")
		// Matched by name and date of birth alone, the sender is not shown
		// the record's code (TestApplicantService_SubmitByKeyAlone).
		if err != nil || created || again.ID != first.ID || again.Reference != "" {
			t.Fatalf("again: created %v, %s/%q, %v", created, again.ID, again.Reference, err)
		}
		if got, _ := db.FindApplicantByID(staff, first.ID); !got.Detained || got.Phone != "213-555-0101" {
			t.Fatalf("merged facts: detained %v, phone %q (the phone given first must stay)", got.Detained, got.Phone)
		}
		again, _ = db.FindApplicantByID(staff, first.ID)
		// The same form once more (a double submit): no new history entry.
		twice := &amparo.Applicant{Key: "k-rosa", Facts: again.Facts}
		if created, err := db.SubmitApplicant(person, twice, ""); err != nil || created {
			t.Fatalf("twice: %v %v", created, err)
		}
		events, err := db.FindApplicantEvents(staff, first.ID)
		if err != nil || len(events) != 1 {
			t.Fatalf("events %+v, %v", events, err)
		}
		e := events[0]
		want := []amparo.ApplicantChange{{Field: "situation", Old: "", New: amparo.SituationAsylum}, {Field: "detained", Old: "false", New: "true"}}
		if e.ActorID != amparo.ApplicantActorID || e.At.IsZero() || !reflect.DeepEqual(e.Changes, want) {
			t.Fatalf("history entry %+v, want changes %+v by the applicant", e, want)
		}
		if all, n, _ := db.FindApplicants(staff, amparo.ApplicantFilter{}); n != 1 || len(all) != 1 {
			t.Fatalf("%d applicants, want 1", n)
		}
		// The stored facts rank: now detained, the person is in tier 2.
		q, err := intake.Rank(&amparo.PolicyVersion{Text: councilPolicy(t)}, []*amparo.Applicant{again}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if pl, _ := q.Lookup(first.ID); pl.Tier != 2 {
			t.Fatalf("tier %d, want 2 (detained)", pl.Tier)
		}

		// Staff find the record by its reference, as a person reads it out,
		// and by name, in any order and case.
		spaced := strings.ToLower(first.Reference[:5] + "-" + first.Reference[5:])
		for _, f := range []amparo.ApplicantFilter{{Reference: spaced}, {Name: "prueba ROSA"}} {
			got, n, err := db.FindApplicants(staff, f)
			if err != nil || n != 1 || got[0].ID != first.ID || got[0].Reference != first.Reference {
				t.Fatalf("find %+v: %d, %v", f, n, err)
			}
		}
		if _, n, _ := db.FindApplicants(staff, amparo.ApplicantFilter{Name: "Luis"}); n != 0 {
			t.Fatalf("a name nobody has found %d", n)
		}
		if _, n, _ := db.FindApplicants(as(amparo.RoleIntake, "other"), amparo.ApplicantFilter{Reference: first.Reference}); n != 0 {
			t.Fatal("another organization finds the applicant by reference")
		}

		// With the reference code, a corrected name updates the same record,
		// and the new name is found.
		fixed := &amparo.Applicant{Key: "k-rosa-2", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Rosa María Ejemplo Prueba", Language: "es"}}}
		if created, err := db.SubmitApplicant(staff, fixed, " "+strings.ToLower(first.Reference)); err != nil || created || fixed.ID != first.ID {
			t.Fatalf("by reference: %v, %v", created, err)
		}
		if got, n, _ := db.FindApplicants(staff, amparo.ApplicantFilter{Name: "maría"}); n != 1 || got[0].Key != "k-rosa-2" {
			t.Fatalf("after the correction: %d found", n)
		}
		events, _ = db.FindApplicantEvents(staff, first.ID)
		if len(events) != 2 || events[1].ActorID != "intake-"+org.ID || events[1].Changes[0].Old != "Rosa Ejemplo Prueba" {
			t.Fatalf("second entry %+v", events[1:])
		}
		// A reference code of nothing is ignored: a new person is a new record.
		other := &amparo.Applicant{Key: "k-luis", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Luis Muestra", Language: "en"}}}
		if created, err := db.SubmitApplicant(person, other, "ZZZZZZZZZZ"); err != nil || !created || other.Reference == first.Reference {
			t.Fatalf("unknown reference: %v %v", created, err)
		}
		_, err = db.SubmitApplicant(as(amparo.RoleIntake, "other"), &amparo.Applicant{OrganizationID: org.ID, Key: "k9"}, "")
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

// TestApplicantService_SubmitByKeyAlone: anyone who knows a person's name
// and date of birth can send the public form as them. Matched by that
// alone, the sender is never given the record's code or facts; the
// situation still updates (a person now detained moves up), but the
// contact details are only proposed, for staff to confirm; the record is
// marked updated by the person until staff look. With the code, or from
// staff, the form is trusted.
func TestApplicantService_SubmitByKeyAlone(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		person := amparo.NewContextWithActor(context.Background(), amparo.PublicIntakeActor(org.ID))
		staff := as(amparo.RoleIntake, org.ID)
		stored := func() *amparo.Applicant {
			t.Helper()
			all, _, err := db.FindApplicants(staff, amparo.ApplicantFilter{})
			if err != nil || len(all) != 1 {
				t.Fatalf("%d records, %v", len(all), err)
			}
			return all[0]
		}
		first := &amparo.Applicant{Key: "k-ines", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Inés Ejemplo Prueba", Language: "es",
			Phone: "213-555-0101", Address: amparo.Address{City: "Los Angeles"}}}}
		if _, err := db.SubmitApplicant(person, first, ""); err != nil {
			t.Fatal(err)
		}
		if a := stored(); !a.ApplicantUpdatedAt.IsZero() || a.UpdatedUnseen() {
			t.Fatal("a new record reads as updated by the person")
		}

		// Someone else, knowing the name and date of birth, sends the form.
		now = now.Add(time.Hour)
		claim := &amparo.Applicant{Key: "k-ines", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Inés Ejemplo Prueba", Language: "es",
			Phone: "213-555-0199", Address: amparo.Address{City: "Fresno"}, Detained: true}, Email: "otra@example.org"}}
		if created, err := db.SubmitApplicant(person, claim, ""); err != nil || created {
			t.Fatalf("claim: %v %v", created, err)
		}
		if claim.ID != first.ID || claim.Reference != "" || claim.Phone != "213-555-0199" || claim.Address.City != "Fresno" {
			t.Fatalf("the sender is shown the record: %q %q %q", claim.Reference, claim.Phone, claim.Address.City)
		}
		a := stored()
		if a.Phone != "213-555-0101" || a.Email != "" || a.Address.City != "Los Angeles" {
			t.Fatalf("contact details overwritten: %q %q %q", a.Phone, a.Email, a.Address.City)
		}
		if !a.Detained {
			t.Fatal("the situation did not update: a person now detained must move up")
		}
		if !a.ApplicantUpdatedAt.Equal(now) || !a.UpdatedUnseen() {
			t.Fatalf("not marked updated by the person: %v, seen %v", a.ApplicantUpdatedAt, a.SeenAt)
		}
		events, err := db.FindApplicantEvents(staff, first.ID)
		if err != nil || len(events) != 1 || events[0].ActorID != amparo.ApplicantActorID {
			t.Fatalf("events %+v, %v", events, err)
		}
		want := []amparo.ApplicantChange{{Field: "detained", Old: "false", New: "true"},
			{Field: "phone", Old: "213-555-0101", New: "213-555-0199", Proposed: true},
			{Field: "email", Old: "", New: "otra@example.org", Proposed: true},
			{Field: "address.city", Old: "Los Angeles", New: "Fresno", Proposed: true}}
		if !reflect.DeepEqual(events[0].Changes, want) {
			t.Fatalf("history %+v, want %+v", events[0].Changes, want)
		}
		// Staff have now read the history: the record is seen.
		if a := stored(); a.UpdatedUnseen() || !a.SeenAt.Equal(now) {
			t.Fatalf("after staff looked: seen %v", a.SeenAt)
		}
		// The same form again proposes nothing new and writes nothing.
		now = now.Add(time.Hour)
		if _, err := db.SubmitApplicant(person, &amparo.Applicant{Key: "k-ines", Facts: claim.Facts}, ""); err != nil {
			t.Fatal(err)
		}
		if events, _ := db.FindApplicantEvents(staff, first.ID); len(events) != 1 {
			t.Fatalf("the same claim again wrote %d entries", len(events))
		}
		// A later update by the person is unseen again.
		now = now.Add(time.Hour)
		hearing := &amparo.Applicant{Key: "k-ines", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Inés Ejemplo Prueba", Language: "es",
			FacingRemoval: true}}}
		if _, err := db.SubmitApplicant(person, hearing, ""); err != nil {
			t.Fatal(err)
		}
		if a := stored(); !a.UpdatedUnseen() || !a.FacingRemoval {
			t.Fatal("a later update by the person is not marked")
		}

		// With the reference code, the person is trusted: the phone changes,
		// and the stored record (with its code) is theirs to see.
		withCode := &amparo.Applicant{Key: "k-ines", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Inés Ejemplo Prueba", Language: "es",
			Phone: "213-555-0177"}}}
		if _, err := db.SubmitApplicant(person, withCode, first.Reference); err != nil || withCode.Reference != first.Reference {
			t.Fatalf("with the code: %q, %v", withCode.Reference, err)
		}
		if a := stored(); a.Phone != "213-555-0177" {
			t.Fatalf("with the code the phone is %q", a.Phone)
		}
		// Staff, with the person in front of them, are trusted too.
		byStaff := &amparo.Applicant{Key: "k-ines", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Inés Ejemplo Prueba", Language: "es",
			Phone: "213-555-0155"}}}
		if _, err := db.SubmitApplicant(staff, byStaff, ""); err != nil || byStaff.Reference != first.Reference {
			t.Fatalf("by staff: %q, %v", byStaff.Reference, err)
		}
		if a := stored(); a.Phone != "213-555-0155" {
			t.Fatalf("by staff the phone is %q", a.Phone)
		}
	})
}

// TestApplicantService_SubmitTwiceAtOnce: two forms of the same person sent
// at the same moment make one record.
func TestApplicantService_SubmitTwiceAtOnce(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleIntake, org.ID)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				a := &amparo.Applicant{Key: "k-eva", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Eva Muestra", Language: "es"}}}
				_, errs[i] = db.SubmitApplicant(ctx, a, "")
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, n, _ := db.FindApplicants(ctx, amparo.ApplicantFilter{}); n != 1 {
			t.Fatalf("%d records, want 1", n)
		}
	})
}

func councilPolicy(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../priority/council.policy")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestApplicantService_PublicIntake: the public intake form has its own
// identity, which submits an intake to its own organization and does
// nothing else: it reads no applicant, client or letter, and writes to no
// other organization. Its audit events name it.
func TestApplicantService_PublicIntake(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		other := storetest.MustCreateOrganization(t, db, "Otro Centro Ejemplo")
		form := amparo.NewContextWithActor(context.Background(), amparo.PublicIntakeActor(org.ID))
		a := &amparo.Applicant{Key: "k-ana", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Ana Ejemplo", Language: "es"}}}
		if created, err := db.SubmitApplicant(form, a, ""); err != nil || !created {
			t.Fatalf("submit: %v %v", created, err)
		}
		again := &amparo.Applicant{Key: "k-ana", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Ana Ejemplo", Language: "es", Phone: "213-555-0199"}}}
		if created, err := db.SubmitApplicant(form, again, a.Reference); err != nil || created || again.ID != a.ID {
			t.Fatalf("submit again by reference: %v %s %v", created, again.ID, err)
		}
		_, err := db.SubmitApplicant(form, &amparo.Applicant{OrganizationID: other.ID, Key: "k-luis"}, "")
		wantCode(t, err, amparo.EFORBIDDEN)
		_, err = db.CreateApplicants(form, []*amparo.Applicant{{Key: "k-eva"}})
		wantCode(t, err, amparo.EFORBIDDEN)
		_, _, err = db.FindApplicants(form, amparo.ApplicantFilter{})
		wantCode(t, err, amparo.EFORBIDDEN)
		_, err = db.FindApplicantByID(form, a.ID)
		wantCode(t, err, amparo.EFORBIDDEN)
		_, err = db.FindApplicantEvents(form, a.ID)
		wantCode(t, err, amparo.EFORBIDDEN)
		_, _, err = db.FindClients(form, amparo.ClientFilter{})
		wantCode(t, err, amparo.EFORBIDDEN)
		_, _, err = db.FindLetters(form, amparo.LetterFilter{})
		wantCode(t, err, amparo.EFORBIDDEN)
		wantCode(t, db.SetApplicantStatus(form, a.ID, amparo.ApplicantClosed, "", "x"), amparo.EFORBIDDEN)

		events, _, err := db.FindAuditEvents(as(amparo.RoleAuditor, ""), amparo.AuditFilter{RecordID: a.ID})
		if err != nil || len(events) != 2 {
			t.Fatalf("audit events %+v, %v", events, err)
		}
		for _, e := range events {
			if e.ActorID != amparo.ApplicantActorID || e.ActorRole != amparo.RolePublicIntake || e.OrganizationID != org.ID || e.RecordType != amparo.RecordApplicant {
				t.Errorf("event %+v, want the public intake of %s", e, org.ID)
			}
		}
	})
}
