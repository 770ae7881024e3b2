package sqldb_test

import (
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// TestDatabaseFailure_IsInternal: a database that fails is an internal
// error, never an answer about the record: not "not signed in" for a
// session, not "not found" for a client, not "not the signer" for a
// letter whose member could not be read.
func TestDatabaseFailure_IsInternal(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		signer := storetest.SignerFor(t, db, m)
		c := storetest.MustCreateClient(t, signer, db, &amparo.Client{})
		l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
		if err := db.CreateLetter(system, l); err != nil {
			t.Fatal(err)
		}
		token, err := db.CreateSession(system, m.AccountID, true)
		if err != nil {
			t.Fatal(err)
		}
		raw := sqldb.RawDB(db)

		// The member check of issuing reads the member's linked account:
		// that read failing is not a refusal.
		if _, err := raw.Exec("ALTER TABLE members RENAME COLUMN account_id TO account_gone"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.IssueLetter(signer, l.ID); amparo.ErrorCode(err) != amparo.EINTERNAL {
			t.Errorf("issuing, the member unreadable: %v (%s), want an internal error", err, amparo.ErrorCode(err))
		}
		if _, err := raw.Exec("ALTER TABLE members RENAME COLUMN account_gone TO account_id"); err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindLetterByID(system, l.ID); err != nil || got.Status != amparo.LetterDraft {
			t.Fatalf("the failed issue changed the letter: %v %v", got, err)
		}

		// With the database gone, each answers EINTERNAL.
		db.Close()
		if _, err := db.FindSession(system, token); amparo.ErrorCode(err) != amparo.EINTERNAL {
			t.Errorf("FindSession: %v (%s), want an internal error, not signed out", err, amparo.ErrorCode(err))
		}
		c.LegalName = "Ana Ejemplo Cambiada"
		if err := db.UpdateClient(signer, c); amparo.ErrorCode(err) != amparo.EINTERNAL {
			t.Errorf("UpdateClient: %v (%s), want an internal error, not not found", err, amparo.ErrorCode(err))
		}
		if _, err := db.IssueLetter(signer, l.ID); amparo.ErrorCode(err) != amparo.EINTERNAL {
			t.Errorf("IssueLetter: %v (%s), want an internal error", err, amparo.ErrorCode(err))
		}
	})
}
