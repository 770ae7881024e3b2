package sqldb_test

import (
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// TestLetterService_ReissueLetter: an active version 1 letter reissued as
// version 2 keeps its parties and dates; its old card verifies until
// revoking the new letter revokes it too; a second reissue is refused; and
// renewing a version 1 letter issues version 2.
func TestLetterService_ReissueLetter(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		db.CredentialVersion = 1 // letters as issued before version 2
		old := mustIssue(t, db, org, m)
		renewed := mustIssue(t, db, org, m)
		db.CredentialVersion = 0
		if old.CredentialVersion != 1 || credential.Version(old.QR) != 1 {
			t.Fatalf("the letter issued as version 1 is %d (%d)", old.CredentialVersion, credential.Version(old.QR))
		}
		wantStatus(t, verifier(t, db), old.QR, credential.StatusValid)
		v1, n, err := db.FindLetters(system, amparo.LetterFilter{Status: amparo.LetterActive, CredentialVersion: 1})
		if err != nil || n != 2 || len(v1) != 2 {
			t.Fatalf("%d active version 1 letters (%v), want 2", n, err)
		}

		_, err = db.ReissueLetter(as(amparo.RoleOrgAdmin, org.ID), old.ID)
		wantCode(t, err, amparo.EFORBIDDEN)
		next, err := db.ReissueLetter(system, old.ID)
		if err != nil {
			t.Fatal(err)
		}
		next, _ = db.FindLetterByID(system, next.ID)
		gotOld, _ := db.FindLetterByID(system, old.ID)
		if next.CredentialVersion != 2 || credential.Version(next.QR) != 2 || next.Status != amparo.LetterActive ||
			!next.IssuedAt.Equal(old.IssuedAt) || !next.ValidUntil.Equal(old.ValidUntil) || next.ClientID != old.ClientID ||
			next.MemberID != old.MemberID || next.ApprovedBy != old.ApprovedBy {
			t.Fatalf("reissued %+v\nfrom %+v", next, old)
		}
		if gotOld.Status != amparo.LetterSuperseded || gotOld.SupersededBy != next.ID {
			t.Fatalf("old letter %s superseded by %q", gotOld.Status, gotOld.SupersededBy)
		}
		v := verifier(t, db)
		wantStatus(t, v, old.QR, credential.StatusValid)
		if r := wantStatus(t, v, next.QR, credential.StatusValid); r.Member == nil || r.Member.Name != m.Name {
			t.Fatalf("the new letter's member: %+v", r.Member)
		}
		for _, id := range []string{old.ID, next.ID} {
			if evs, n, err := db.FindAuditEvents(system, amparo.AuditFilter{Action: amparo.AuditLetterReissue, RecordID: id}); err != nil || n != 1 || evs[0].ActorID != amparo.SystemActor.ID {
				t.Errorf("audit of %s: %d letter.reissue events (%v)", id, n, err)
			}
		}
		// Idempotent: neither letter reissues again.
		_, err = db.ReissueLetter(system, old.ID)
		wantCode(t, err, amparo.ECONFLICT)
		_, err = db.ReissueLetter(system, next.ID)
		wantCode(t, err, amparo.ECONFLICT)
		if _, n, _ := db.FindLetters(system, amparo.LetterFilter{Status: amparo.LetterActive, CredentialVersion: 1}); n != 1 {
			t.Errorf("%d active version 1 letters left, want 1", n)
		}

		// Revoking the new letter revokes the old card with it.
		if _, err := db.RevokeLetter(system, next.ID, "Representation ended"); err != nil {
			t.Fatal(err)
		}
		v = verifier(t, db)
		wantStatus(t, v, old.QR, credential.StatusRevoked)
		wantStatus(t, v, next.QR, credential.StatusRevoked)

		// Renewing a version 1 letter issues version 2.
		r, err := db.RenewLetter(storetest.SignerFor(t, db, m), renewed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r, _ = db.FindLetterByID(system, r.ID); r.CredentialVersion != 2 || credential.Version(r.QR) != 2 {
			t.Errorf("the renewal of a version 1 letter is version %d", r.CredentialVersion)
		}
	})
}
