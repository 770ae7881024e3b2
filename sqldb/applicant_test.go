package sqldb_test

import (
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/sqldb"
)

func TestApplicantService(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := MustCreateOrganization(t, db, "Centro Legal Ejemplo")
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
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := MustCreateMember(t, db, org.ID, "900001")
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
