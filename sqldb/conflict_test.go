package sqldb_test

import (
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/names"
	"github.com/amparo-project/amparo/sqldb"
)

func TestConflictCheck(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleMember, org.ID)
		c := MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: "Fernando Pérez Noriega", BirthDate: amparo.MustDate("1980-04-02"),
			Language: "es", Situation: amparo.SituationOther}})
		if err := db.CreateParty(ctx, &amparo.Party{Name: "Yolanda Jiménez Ejemplo", Note: "parte contraria"}); err != nil {
			t.Fatal(err)
		}
		MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: "Rosa Hernández Muestra", Language: "es", Situation: amparo.SituationOther}})

		for _, tt := range []struct {
			name, birth string
			want        string // record type of the best candidate, "" for none
		}{
			{"PEREZ NORIEGA, Fernando", "1980-04-02", "client"},
			{"Llolanda Ximénez", "", "party"},
			{"Fernando Perez", "1975-09-30", ""}, // another person: another date of birth
			{"Rosa Fernández Muestra", "", ""},   // Hernández is not Fernández
		} {
			t.Run(tt.name, func(t *testing.T) {
				var birth amparo.Date
				if tt.birth != "" {
					birth = amparo.MustDate(tt.birth)
				}
				got, err := db.ConflictCheck(ctx, tt.name, birth, "")
				if err != nil {
					t.Fatal(err)
				}
				if tt.want == "" {
					if len(got) != 0 {
						t.Fatalf("found %+v", got[0])
					}
					return
				}
				if len(got) == 0 || got[0].RecordType != tt.want || len(got[0].ReasonsEN) == 0 || len(got[0].ReasonsES) == 0 {
					t.Fatalf("candidates %+v", got)
				}
			})
		}
		// Another organization's check never sees these people.
		if got, _ := db.ConflictCheck(as(amparo.RoleMember, "other"), "Fernando Pérez Noriega", amparo.Date{}, ""); len(got) != 0 {
			t.Fatal("another organization found this organization's client")
		}
		// An erased client is gone from the check too.
		if err := db.DeleteClient(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.ConflictCheck(ctx, "Fernando Pérez Noriega", amparo.MustDate("1980-04-02"), ""); len(got) != 0 {
			t.Fatal("the erased client is still found")
		}
		var n int
		sqldb.RawDB(db).QueryRow("SELECT COUNT(*) FROM name_keys WHERE record_id = '" + c.ID + "'").Scan(&n)
		if n != 0 {
			t.Fatalf("%d name keys of the erased client remain", n)
		}
	})
}

// BenchmarkConflictCheck checks one name against 200,000 people of one
// organization through the store's keyed tokens ("indexed"), and by
// decrypting and scoring everyone with the same scorer ("scan").
func BenchmarkConflictCheck(b *testing.B) {
	const total = 200_000
	db := MustOpenDB(b, "sqlite")
	org := MustCreateOrganization(b, db, "Centro Legal Ejemplo")
	ctx := as(amparo.RoleIntake, org.ID)
	for i := 0; i < total; i += batch {
		as := make([]*amparo.Applicant, 0, batch)
		for _, c := range fictionalClients(org.ID, batch, i) {
			as = append(as, &amparo.Applicant{Key: c.LegalName, Facts: amparo.Facts{Personal: c.Personal}})
		}
		if _, err := db.CreateApplicants(ctx, as); err != nil {
			b.Fatal(err)
		}
	}
	query := fictionalClients(org.ID, batch, 123_000)[456] // one of the people stored
	b.Run("indexed", func(b *testing.B) {
		for b.Loop() {
			got, err := db.ConflictCheck(ctx, query.LegalName, query.BirthDate, "")
			if err != nil || len(got) == 0 {
				b.Fatalf("found %d: %v", len(got), err)
			}
		}
	})
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			found := 0
			for off := 0; off < total; off += batch {
				as, _, err := db.FindApplicants(ctx, amparo.ApplicantFilter{Offset: off, Limit: batch})
				if err != nil {
					b.Fatal(err)
				}
				for _, a := range as {
					if names.Score(names.NewPerson(query.LegalName, query.BirthDate.Time), names.NewPerson(a.LegalName, a.BirthDate.Time)).Decision != names.NoMatch {
						found++
					}
				}
			}
			if found == 0 {
				b.Fatal("the scan found no one")
			}
		}
	})
}
