package sqldb_test

import (
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// TestRoster_MemberLeft: members get references in the order they are
// added; a member marked as left is re-signed into the roster at once, and
// a verifier of their letter is shown the organization's public number,
// never theirs.
func TestRoster_MemberLeft(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		other := storetest.MustCreateMember(t, db, org.ID, "900002")
		if m.Ref != 1 || other.Ref != 2 {
			t.Fatalf("references %d and %d, want 1 and 2", m.Ref, other.Ref)
		}
		l := mustIssue(t, db, org, m)
		if l.CredentialVersion != 2 {
			t.Fatalf("credential version %d", l.CredentialVersion)
		}
		r := wantStatus(t, verifier(t, db), l.QR, credential.StatusValid)
		if r.MemberNotice != "" || r.Contact != m.PublicPhone {
			t.Fatalf("active member: notice %q contact %q", r.MemberNotice, r.Contact)
		}

		o, err := db.FindOrganizationByID(system, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		o.PublicPhone = "+1 213 555 0190"
		if err := db.UpdateOrganization(system, o); err != nil {
			t.Fatal(err)
		}
		m.Status = amparo.MemberLeft
		if err := db.UpdateMember(system, m); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindMemberByID(system, m.ID); got.Status != amparo.MemberLeft || got.Ref != 1 {
			t.Fatalf("member after leaving: %+v", got)
		}
		r = wantStatus(t, verifier(t, db), l.QR, credential.StatusValid)
		if r.MemberNotice != credential.NoticeLeft || r.Contact != "+1 213 555 0190" || r.Member == nil || r.Member.Phone != "" {
			t.Fatalf("member left: notice %q contact %q member %+v", r.MemberNotice, r.Contact, r.Member)
		}
		doc, err := db.FindRoster(system, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindRoster(system, "no-such-org"); amparo.ErrorCode(err) != amparo.ENOTFOUND {
			t.Errorf("unknown organization: %v", err)
		}
		tl, _ := db.FindTrustList(system)
		root, _ := db.FindRootPublicKey(system)
		trust, err := credential.VerifyTrustList(tl.Bytes, root)
		if err != nil {
			t.Fatal(err)
		}
		roster, err := trust.VerifyRoster(doc.Bytes)
		if err != nil || len(roster.Members) != 2 || roster.Phone != "+1 213 555 0190" {
			t.Fatalf("published roster %+v, %v", roster, err)
		}
	})
}

// TestRoster_WaitsForTheFirstKey: a new organization's members are added
// before its first issuing key, and the log says the roster waits for it
// (information, not a warning); once its only key is revoked, a member
// added is a roster not signed: a warning; a new key not yet certified is
// waited for again.
func TestRoster_WaitsForTheFirstKey(t *testing.T) {
	t.Parallel()
	db, log := reopen(t, migratedDSN(t, "sqlite"), envelope.GenerateMasterKey())
	if _, err := db.CreateRootKey(system); err != nil {
		t.Fatal(err)
	}
	org := &amparo.Organization{Name: "Centro Legal Ejemplo", Kind: amparo.OrgNonprofit, Languages: []string{"en", "es"}, Capacity: 50}
	if err := db.CreateOrganization(system, org); err != nil {
		t.Fatal(err)
	}
	storetest.MustCreateMember(t, db, org.ID, "900001")
	if s := log.String(); !strings.Contains(s, `level=INFO msg="roster waits for the organization's issuing key to be made and certified"`) || strings.Contains(s, "level=WARN") {
		t.Fatalf("a new organization's member logged:\n%s", s)
	}
	key := storetest.MustCertifyNewKey(t, db, org.ID)
	if err := db.RevokeKey(system, key.ID); err != nil {
		t.Fatal(err)
	}
	log.Reset()
	storetest.MustCreateMember(t, db, org.ID, "900002")
	if s := log.String(); !strings.Contains(s, `level=WARN msg="roster not signed: no usable issuing key"`) {
		t.Fatalf("a member added when the only key is revoked logged:\n%s", s)
	}
	// A new key, not yet certified: the roster waits for it.
	if _, err := db.CreateIssuingKey(system, org.ID); err != nil {
		t.Fatal(err)
	}
	log.Reset()
	storetest.MustCreateMember(t, db, org.ID, "900003")
	if s := log.String(); !strings.Contains(s, "level=INFO msg=\"roster waits") || strings.Contains(s, "level=WARN") {
		t.Fatalf("a member added while a new key awaits its certificate logged:\n%s", s)
	}
}
