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
