package sqldb_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// verifier builds an offline verifier from what the store publishes, as a
// phone or `amparo verify` would.
func verifier(t *testing.T, db *sqldb.DB) *credential.Verifier {
	t.Helper()
	root, err := db.FindRootPublicKey(system)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := db.FindTrustList(system)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := credential.VerifyTrustList(doc.Bytes, root)
	if err != nil {
		t.Fatal(err)
	}
	v, err := credential.NewVerifier(tl)
	if err != nil {
		t.Fatal(err)
	}
	lists, err := db.FindStatusLists(system)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lists {
		v.AddStatusList(l.Bytes) // a verifier drops lists it cannot trust, such as a revoked key's
	}
	bundle, err := db.FindBundle(system)
	if err != nil {
		t.Fatal(err)
	}
	b, err := credential.ParseBundle(bundle.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range b.Rosters {
		v.AddRoster(r) // likewise
	}
	return v
}

// mustIssue creates and issues a letter for a new client of org.
func mustIssue(t *testing.T, db *sqldb.DB, org *amparo.Organization, m *amparo.Member) *amparo.Letter {
	t.Helper()
	ctx := as(amparo.RoleIntake, org.ID)
	c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{})
	l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
	if err := db.CreateLetter(ctx, l); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IssueLetter(storetest.SignerFor(t, db, m), l.ID); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindLetterByID(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func wantStatus(t *testing.T, v *credential.Verifier, qr string, want credential.Status) credential.Result {
	t.Helper()
	r := v.Verify(qr, time.Now())
	if r.Status != want {
		t.Fatalf("status %s (%s), want %s", r.Status, r.Reason, want)
	}
	return r
}

func TestLetterService_Credential(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		ctx := storetest.SignerFor(t, db, m)
		l := mustIssue(t, db, org, m)

		// Issued as version 2 (docs/credential.md, part II): the member
		// comes from the organization's signed roster.
		if !strings.HasPrefix(l.QR, "HTTP://127.0.0.1:8080/v#") || l.CredentialID == "" || l.SigningKeyID == "" || l.CredentialVersion != 2 {
			t.Fatalf("letter %+v", l)
		}
		r := wantStatus(t, verifier(t, db), l.QR, credential.StatusValid)
		c, _ := db.FindClientByID(ctx, l.ClientID)
		if r.Version != 2 || r.ClaimsV2.ClientName != c.LegalName || r.Member == nil || r.Member.Name != m.Name ||
			r.Contact != m.PublicPhone || r.Member.BarNumber != m.BarNumber || r.ClaimsV2.Expires.Before(l.ValidUntil) ||
			r.ClaimsV2.Expires.Sub(l.ValidUntil) >= time.Hour || r.ClaimsV2.ID.String() != l.CredentialID || r.StatusListAsOf == nil {
			t.Fatalf("claims %+v, member %+v", r.ClaimsV2, r.Member)
		}

		t.Run("Revoked", func(t *testing.T) {
			l := mustIssue(t, db, org, m)
			if _, err := db.RevokeLetter(ctx, l.ID, "Representation ended"); err != nil {
				t.Fatal(err)
			}
			wantStatus(t, verifier(t, db), l.QR, credential.StatusRevoked)
		})
		// Renewal never makes the card the client carries look withdrawn:
		// the old credential verifies until its own date; revoking it on
		// purpose still revokes it.
		t.Run("RenewedKeepsOldValid", func(t *testing.T) {
			l := mustIssue(t, db, org, m)
			next, err := db.RenewLetter(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			next, _ = db.FindLetterByID(ctx, next.ID)
			v := verifier(t, db)
			wantStatus(t, v, l.QR, credential.StatusValid)
			wantStatus(t, v, next.QR, credential.StatusValid)
			if next.CredentialVersion != 2 {
				t.Fatalf("the renewal has credential version %d, want 2", next.CredentialVersion)
			}
			if next.CredentialID == l.CredentialID || next.StatusIndex == l.StatusIndex && next.StatusListID == l.StatusListID {
				t.Fatal("the renewal reuses the old credential's ID or status index")
			}
			if old, _ := db.FindLetterByID(ctx, l.ID); old.Status != amparo.LetterSuperseded {
				t.Fatalf("old letter is %s, want superseded", old.Status)
			}
			if _, err := db.RevokeLetter(as(amparo.RoleOrgAdmin, org.ID), l.ID, "Card reported stolen"); err != nil {
				t.Fatal(err)
			}
			v = verifier(t, db)
			wantStatus(t, v, l.QR, credential.StatusRevoked)
			wantStatus(t, v, next.QR, credential.StatusValid)
		})
		// Revoking the current letter revokes the client's older cards of
		// the same chain still in their dates, for the same reason, at
		// once; revoking an old one on purpose leaves the newer valid.
		t.Run("RevokeCurrentRevokesEarlierCards", func(t *testing.T) {
			first := mustIssue(t, db, org, m)
			second, err := db.RenewLetter(ctx, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			third, err := db.RenewLetter(ctx, second.ID)
			if err != nil {
				t.Fatal(err)
			}
			second, _ = db.FindLetterByID(ctx, second.ID)
			third, _ = db.FindLetterByID(ctx, third.ID)
			v := verifier(t, db)
			for _, l := range []*amparo.Letter{first, second, third} {
				wantStatus(t, v, l.QR, credential.StatusValid)
			}
			// An unrelated client's letter stays valid.
			bystander := mustIssue(t, db, org, m)
			revoked, err := db.RevokeLetter(ctx, third.ID, "Card reported stolen")
			if err != nil {
				t.Fatal(err)
			}
			v = verifier(t, db)
			for _, l := range []*amparo.Letter{first, second, third} {
				wantStatus(t, v, l.QR, credential.StatusRevoked)
				got, _ := db.FindLetterByID(ctx, l.ID)
				if got.Status != amparo.LetterRevoked || got.RevokeReason != "Card reported stolen" || !got.RevokedAt.Equal(revoked.RevokedAt) {
					t.Fatalf("letter %s: %s %q at %v", l.ID, got.Status, got.RevokeReason, got.RevokedAt)
				}
				if _, n, _ := db.FindAuditEvents(system, amparo.AuditFilter{Action: "letter.revoke", RecordID: l.ID}); n != 1 {
					t.Fatalf("letter %s: %d revoke events", l.ID, n)
				}
			}
			wantStatus(t, v, bystander.QR, credential.StatusValid)
		})
		t.Run("RevokeOldLeavesNewer", func(t *testing.T) {
			first := mustIssue(t, db, org, m)
			second, err := db.RenewLetter(ctx, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			third, err := db.RenewLetter(ctx, second.ID)
			if err != nil {
				t.Fatal(err)
			}
			second, _ = db.FindLetterByID(ctx, second.ID)
			third, _ = db.FindLetterByID(ctx, third.ID)
			if _, err := db.RevokeLetter(ctx, second.ID, "Card reported stolen"); err != nil {
				t.Fatal(err)
			}
			v := verifier(t, db)
			wantStatus(t, v, second.QR, credential.StatusRevoked)
			wantStatus(t, v, first.QR, credential.StatusRevoked)
			wantStatus(t, v, third.QR, credential.StatusValid)
			if got, _ := db.FindLetterByID(ctx, third.ID); got.Status != amparo.LetterActive {
				t.Fatalf("the newer letter is %s", got.Status)
			}
		})
		t.Run("ErasedClient", func(t *testing.T) {
			l := mustIssue(t, db, org, m)
			if err := db.DeleteClient(ctx, l.ClientID); err != nil {
				t.Fatal(err)
			}
			wantStatus(t, verifier(t, db), l.QR, credential.StatusRevoked)
			if got, _ := db.FindLetterByID(ctx, l.ID); got.QR != "" {
				t.Fatal("the erased client's QR text is still readable")
			}
		})
		t.Run("NameTooLongForTheQR", func(t *testing.T) {
			c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{
				LegalName: "María de los Ángeles Fernández de la Cruz Rodríguez Ejemplo", Language: "es", Situation: amparo.SituationDACA}})
			l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
			db.CreateLetter(ctx, l)
			_, err := db.IssueLetter(ctx, l.ID)
			wantCode(t, err, amparo.EINVALID)
			if amparo.ErrorField(err) != "legal_name" {
				t.Fatalf("field %q: %v", amparo.ErrorField(err), err)
			}
			if got, _ := db.FindLetterByID(ctx, l.ID); got.Status != amparo.LetterDraft {
				t.Fatalf("a failed issue left the letter %s", got.Status)
			}
			// A preferred name does not shorten what the QR prints: only
			// the legal name, as on the person's documents, does.
			c.PreferredName = "Ángeles Fernández"
			if err := db.UpdateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
			_, err = db.IssueLetter(ctx, l.ID)
			wantCode(t, err, amparo.EINVALID)
			c.LegalName = "María Ángeles Fernández Ejemplo"
			if err := db.UpdateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
			if _, err := db.IssueLetter(ctx, l.ID); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestKeyService_RotateAndRevoke(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		a := storetest.MustCreateOrganization(t, db, "Organización A Ejemplo")
		b := storetest.MustCreateOrganization(t, db, "Organization B Sample")
		ma, mb := storetest.MustCreateMember(t, db, a.ID, "900001"), storetest.MustCreateMember(t, db, b.ID, "900002")
		signA := storetest.SignerFor(t, db, ma)
		oldA := mustIssue(t, db, a, ma)
		letterB := mustIssue(t, db, b, mb)

		// Rotation: the old letter stays valid, new letters use the new key.
		newKey := storetest.MustCertifyNewKey(t, db, a.ID)
		newA := mustIssue(t, db, a, ma)
		if newA.SigningKeyID != newKey.ID || oldA.SigningKeyID == newKey.ID {
			t.Fatalf("signed by %s, want the new key %s", newA.SigningKeyID, newKey.ID)
		}
		v := verifier(t, db)
		wantStatus(t, v, oldA.QR, credential.StatusValid)
		wantStatus(t, v, newA.QR, credential.StatusValid)
		// A revocation after rotation is signed by the new key and seen.
		if _, err := db.RevokeLetter(signA, oldA.ID, "Lost letter"); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, verifier(t, db), oldA.QR, credential.StatusRevoked)

		// Revoking A's key fails A's letters and no one else's.
		if err := db.RevokeKey(system, newKey.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SignTrustList(system, nil); err != nil {
			t.Fatal(err)
		}
		v = verifier(t, db)
		wantStatus(t, v, newA.QR, credential.StatusIssuerRevoked)
		wantStatus(t, v, letterB.QR, credential.StatusValid)
		// A cannot issue until it has a new certified key.
		c := storetest.MustCreateClient(t, as(amparo.RoleMember, a.ID), db, &amparo.Client{})
		l := &amparo.Letter{ClientID: c.ID, MemberID: ma.ID, OrganizationID: a.ID}
		db.CreateLetter(as(amparo.RoleMember, a.ID), l)
		_, err := db.IssueLetter(signA, l.ID)
		wantCode(t, err, amparo.ECONFLICT)
	})
}

func TestKeyService_OfflineRoot(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		seed, err := db.ExportRootKey(system)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ForgetRootKey(system); err != nil {
			t.Fatal(err)
		}
		_, err = db.ExportRootKey(system)
		wantCode(t, err, amparo.ECONFLICT)
		_, err = db.SignTrustList(system, nil)
		wantCode(t, err, amparo.ECONFLICT)

		// A new key is certified through a request signed elsewhere.
		k, err := db.CreateIssuingKey(system, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		req, err := db.TrustListRequest(system)
		if err != nil {
			t.Fatal(err)
		}
		signed, err := sqldb.SignTrustListRequest(req, seed)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ImportTrustList(system, signed); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.ImportTrustList(system, signed), amparo.ECONFLICT) // not newer
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		if l := mustIssue(t, db, org, m); l.SigningKeyID != k.ID {
			t.Fatalf("signed by %s, want %s", l.SigningKeyID, k.ID)
		}

		// A list signed by another root is refused.
		other := bytes.Repeat([]byte{7}, 32)
		forged, _ := sqldb.SignTrustListRequest(req, other)
		wantCode(t, db.ImportTrustList(system, forged), amparo.EINVALID)
		_, err = db.SignTrustList(system, other)
		wantCode(t, err, amparo.EINVALID)
	})
}

func TestKeyService_RefreshStatusLists(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		l := mustIssue(t, db, org, storetest.MustCreateMember(t, db, org.ID, "900001"))
		before, _ := db.FindStatusList(system, org.ID, l.StatusListID)
		if n, err := db.RefreshStatusLists(system, time.Hour); err != nil || n != 0 {
			t.Fatalf("fresh lists refreshed: %d, %v", n, err)
		}
		db.Now = func() time.Time { return time.Now().Add(25 * time.Hour) }
		if n, err := db.RefreshStatusLists(system, 24*time.Hour); err != nil || n != 1 {
			t.Fatalf("refreshed %d, %v; want 1", n, err)
		}
		after, _ := db.FindStatusList(system, org.ID, l.StatusListID)
		if !after.IssuedAt.After(before.IssuedAt.Add(24 * time.Hour)) {
			t.Fatalf("issued %v, then %v", before.IssuedAt, after.IssuedAt)
		}
		_, err := db.FindStatusList(system, org.ID, l.StatusListID+1)
		wantCode(t, err, amparo.ENOTFOUND)
		_, err = db.RefreshStatusLists(as(amparo.RoleMember, org.ID), time.Hour)
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

func TestLetterService_QRSealedAtRest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := storetest.MustOpenDSN(t, "sqlite:"+filepath.Join(dir, "amparo.db"), envelope.GenerateMasterKey())
	db.CreateRootKey(system)
	org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
	l := mustIssue(t, db, org, storetest.MustCreateMember(t, db, org.ID, "900001"))
	cred := l.QR[strings.LastIndex(l.QR, "#")+1:]
	for _, f := range []string{"amparo.db", "amparo.db-wal"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if bytes.Contains(b, []byte(cred[:40])) {
			t.Errorf("%s holds the QR text in clear", f)
		}
	}
}
