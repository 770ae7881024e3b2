package sqldb_test

import (
	"cmp"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// everyFact is an applicant whose facts are all set, the ranking facts and
// the rest.
func everyFact(key, name string) *amparo.Applicant {
	return &amparo.Applicant{Key: key, Facts: amparo.Facts{
		Personal: amparo.Personal{LegalName: name, PreferredName: "Ani", BirthDate: amparo.MustDate("1990-03-04"), Language: "es",
			Phone: "+1 213 555 0123", Address: amparo.Address{Line1: "100 Example St", Line2: "Apt 2", City: "Van Nuys", Region: "CA", PostalCode: "90001"},
			CountryOfBirth: "SV", Situation: amparo.SituationTPS, TPSCountry: "SV", FacingRemoval: true, NoticeToAppear: true,
			NextHearing: amparo.MustDate("2026-09-01"), Detained: true,
			EmergencyContacts: []amparo.EmergencyContact{{Name: "Luis Ejemplo", Relationship: "family", Phone: "+1 213 555 0124"}},
			Consents:          []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC), RecordedBy: "intake", Language: "es"}}},
		Email: "ana@example.org", InterpreterOK: true, UnaccompaniedMinor: true, Unhoused: true, Survivor: true,
		IntakeDate: amparo.MustDate("2026-01-15"), SourceRef: "row 7",
	}}
}

func TestWaitlistService_FindWaiting(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		other := storetest.MustCreateOrganization(t, db, "Organización B Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		intake := as(amparo.RoleIntake, org.ID)
		first := []*amparo.Applicant{everyFact("k1", "Ana Ejemplo"), everyFact("k2", "Eva Muestra"), everyFact("k3", "Rosa Prueba")}
		if _, err := db.CreateApplicants(intake, first); err != nil {
			t.Fatal(err)
		}
		later := everyFact("k4", "Luis Prueba")
		later.Language, later.Address.City, later.Situation, later.TPSCountry = "en", "Pacoima", amparo.SituationDACA, ""
		if _, err := db.CreateApplicants(intake, []*amparo.Applicant{later}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateApplicants(as(amparo.RoleIntake, other.ID), []*amparo.Applicant{everyFact("k5", "Sofía Ficticio")}); err != nil {
			t.Fatal(err)
		}
		member := as(amparo.RoleMember, org.ID)
		if err := db.SetApplicantStatus(member, first[2].ID, amparo.ApplicantMatched, m.ID, "accepted"); err != nil {
			t.Fatal(err)
		}

		got, err := db.FindWaiting(member, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids := func(as []*amparo.Applicant) []string {
			var out []string
			for _, a := range as {
				out = append(out, a.ID)
			}
			return out
		}
		// Oldest first, by ID within an instant; the matched one out.
		want := []*amparo.Applicant{first[0], first[1]}
		slices.SortFunc(want, func(a, b *amparo.Applicant) int { return cmp.Compare(a.ID, b.ID) })
		want = append(want, later)
		if !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("line %v, want %v", ids(got), ids(want))
		}
		for _, a := range got {
			full, err := db.FindApplicantByID(member, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a.Facts, amparo.RankingFacts(full.Facts)) {
				t.Errorf("%s: facts %+v, want only the ranking facts %+v", a.ID, a.Facts, amparo.RankingFacts(full.Facts))
			}
			if a.LegalName != "" || a.Phone != "" || a.Email != "" || !a.BirthDate.IsZero() || len(a.Consents) != 0 {
				t.Errorf("%s: the line holds personal facts ranking does not need: %+v", a.ID, a.Facts)
			}
			if a.OrganizationID != org.ID || a.Status != amparo.ApplicantNew || !a.CreatedAt.Equal(full.CreatedAt) {
				t.Errorf("%s: %+v", a.ID, a)
			}
		}
		// The facts ranking reads are there.
		if f := got[2].Facts; f.Language != "en" || f.Address.City != "Pacoima" || f.Situation != amparo.SituationDACA || !f.Detained ||
			!f.InterpreterOK || !f.Survivor || f.IntakeDate != amparo.MustDate("2026-01-15") || f.NextHearing != amparo.MustDate("2026-09-01") {
			t.Errorf("ranking facts %+v", f)
		}

		// The operator reads every organization's line; staff only their own.
		if all, err := db.FindWaiting(system, ""); err != nil || len(all) != 4 {
			t.Fatalf("every line: %d, %v", len(all), err)
		}
		if mine, err := db.FindWaiting(member, ""); err != nil || len(mine) != 3 {
			t.Fatalf("the member's line: %d, %v", len(mine), err)
		}
		if theirs, err := db.FindWaiting(member, other.ID); err != nil || len(theirs) != 0 {
			t.Fatalf("another organization's line: %d, %v", len(theirs), err)
		}
		_, err = db.FindWaiting(as(amparo.RoleFundOfficer, ""), "")
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

func TestWaitlistService_FindApplicantsByID(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		other := storetest.MustCreateOrganization(t, db, "Organización B Ejemplo")
		intake := as(amparo.RoleIntake, org.ID)
		mine := []*amparo.Applicant{everyFact("k1", "Ana Ejemplo"), everyFact("k2", "Eva Muestra")}
		if _, err := db.CreateApplicants(intake, mine); err != nil {
			t.Fatal(err)
		}
		theirs := everyFact("k3", "Sofía Ficticio")
		if _, err := db.CreateApplicants(as(amparo.RoleIntake, other.ID), []*amparo.Applicant{theirs}); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindApplicantsByID(intake, []string{mine[1].ID, amparo.NewID(), theirs.ID, mine[0].ID, mine[1].ID})
		if err != nil {
			t.Fatal(err)
		}
		// In the order asked, once each; unknown and foreign IDs left out.
		if len(got) != 2 || got[0].ID != mine[1].ID || got[1].ID != mine[0].ID {
			t.Fatalf("got %d: %+v", len(got), got)
		}
		full, _ := db.FindApplicantByID(intake, mine[0].ID)
		if !reflect.DeepEqual(got[1], full) || got[1].LegalName != "Ana Ejemplo" || len(got[1].Consents) != 1 {
			t.Fatalf("not read in full:\n%+v\nwant\n%+v", got[1], full)
		}
		// More IDs than one query takes.
		many := make([]string, 1200)
		for i := range many {
			many[i] = strings.Repeat("0", 31) + string(rune('a'+i%6))
		}
		many[1100] = mine[0].ID
		if got, err := db.FindApplicantsByID(intake, many); err != nil || len(got) != 1 || got[0].ID != mine[0].ID {
			t.Fatalf("among 1,200 IDs: %d, %v", len(got), err)
		}
		_, err = db.FindApplicantsByID(as(amparo.RoleFundOfficer, ""), []string{mine[0].ID})
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

// TestWaitlistService_FindWaiting_Batches: a line of several batches of
// decryption comes back whole, in order of arrival, each person with their
// own facts; a record that does not decrypt fails the read, which still
// returns.
func TestWaitlistService_FindWaiting_Batches(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleIntake, org.ID)
		const n = 700
		var as []*amparo.Applicant
		for i := range n {
			as = append(as, &amparo.Applicant{Key: strconv.Itoa(i), Facts: amparo.Facts{Personal: amparo.Personal{
				LegalName: "Persona Ejemplo " + strconv.Itoa(i), Language: []string{"es", "en"}[i%2], Situation: amparo.SituationOther,
				Address: amparo.Address{City: "Ciudad " + strconv.Itoa(i)}}}})
		}
		if _, err := db.CreateApplicants(ctx, as); err != nil {
			t.Fatal(err)
		}
		got, err := db.FindWaiting(ctx, org.ID)
		if err != nil || len(got) != n {
			t.Fatalf("%d of %d read: %v", len(got), n, err)
		}
		if !slices.IsSortedFunc(got, func(a, b *amparo.Applicant) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		}) {
			t.Error("the line is not in order of arrival")
		}
		seen := map[string]bool{}
		for _, a := range got {
			seen[a.ID] = true
		}
		for _, a := range as {
			i, _ := strconv.Atoi(a.Key)
			if !seen[a.ID] {
				t.Fatalf("applicant %d missing", i)
			}
		}
		for _, a := range got {
			var i int
			for _, b := range as {
				if b.ID == a.ID {
					i, _ = strconv.Atoi(b.Key)
				}
			}
			if a.Address.City != "Ciudad "+strconv.Itoa(i) || a.Language != []string{"es", "en"}[i%2] {
				t.Fatalf("applicant %d read with the facts %q, %q", i, a.Address.City, a.Language)
			}
		}
		if _, err := sqldb.RawDB(db).Exec(sqldb.Rebind(db, "UPDATE applicants SET sealed = wrapped_key WHERE id = ?"), as[n/2].ID); err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindWaiting(ctx, org.ID); err == nil {
			t.Fatalf("a record that does not decrypt read as %d people", len(got))
		}
	})
}
