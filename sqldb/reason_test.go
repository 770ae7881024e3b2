package sqldb_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// A letter's revocation reason is free text about a person, and its
// languages copy its client's: both are stored sealed, read back whole,
// and stored in clear before are sealed by the next Migrate.
func TestRevokeReason_Sealed(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		ctx := storetest.SignerFor(t, db, m)
		c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: "Ana Ejemplo Prueba", Language: "es"}})
		l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID, Languages: []string{"mam", "es"}}
		if err := db.CreateLetter(ctx, l); err != nil {
			t.Fatal(err)
		}
		if _, err := db.IssueLetter(ctx, l.ID); err != nil {
			t.Fatal(err)
		}
		const canary = "Canario: la persona se mudó a Ficticia"
		if _, err := db.RevokeLetter(ctx, l.ID, canary); err != nil {
			t.Fatal(err)
		}
		raw := sqldb.RawDB(db)
		var stored string
		if err := raw.QueryRow("SELECT revoke_reason FROM letters WHERE id = '" + l.ID + "'").Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, "Canario") || !strings.HasPrefix(stored, "s1:") {
			t.Fatalf("the reason is stored as %q", stored)
		}
		got, err := db.FindLetterByID(ctx, l.ID)
		if err != nil || got.RevokeReason != canary {
			t.Fatalf("read back: %q, %v", got.RevokeReason, err)
		}
		// Moved to another letter's row, the sealed reason does not open.
		l2 := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
		if err := db.CreateLetter(ctx, l2); err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec("UPDATE letters SET revoke_reason = '" + stored + "' WHERE id = '" + l2.ID + "'"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindLetterByID(ctx, l2.ID); err == nil {
			t.Error("a reason copied to another letter opened")
		}
		// The letter's languages, a copy of its client's, are sealed too.
		if err := raw.QueryRow("SELECT languages FROM letters WHERE id = '" + l.ID + "'").Scan(&stored); err != nil ||
			strings.Contains(stored, "mam") || !strings.HasPrefix(stored, "s1:") {
			t.Fatalf("the languages are stored as %q (%v)", stored, err)
		}
		if !slices.Equal(got.Languages, []string{"mam", "es"}) {
			t.Fatalf("the languages read back as %q", got.Languages)
		}
		// A reason and languages stored in clear (before they were
		// sealed): sealed by Migrate.
		if _, err := raw.Exec("UPDATE letters SET revoke_reason = 'Canario en claro', languages = '[\"mam\"]' WHERE id = '" + l2.ID + "'"); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := raw.QueryRow("SELECT revoke_reason FROM letters WHERE id = '" + l2.ID + "'").Scan(&stored); err != nil || !strings.HasPrefix(stored, "s1:") {
			t.Fatalf("after Migrate the clear reason is stored as %q (%v)", stored, err)
		}
		if err := raw.QueryRow("SELECT languages FROM letters WHERE id = '" + l2.ID + "'").Scan(&stored); err != nil || !strings.HasPrefix(stored, "s1:") {
			t.Fatalf("after Migrate the clear languages are stored as %q (%v)", stored, err)
		}
		if got, err := db.FindLetterByID(ctx, l2.ID); err != nil || got.RevokeReason != "Canario en claro" || !slices.Equal(got.Languages, []string{"mam"}) {
			t.Fatalf("the migrated letter reads %+v, %v", got, err)
		}
		// Filtered, sorted and paged, the list reads the sealed languages.
		ls, n, err := db.FindLetters(ctx, amparo.LetterFilter{ClientID: c.ID, Sort: "created", Limit: 1, Offset: 1})
		if err != nil || n != 2 || len(ls) != 1 || ls[0].ID != l2.ID || !slices.Equal(ls[0].Languages, []string{"mam"}) {
			t.Fatalf("the letters' second page: %d %v", n, err)
		}
	})
}
