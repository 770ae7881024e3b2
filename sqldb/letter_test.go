package sqldb_test

import (
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/sqldb"
)

func TestLetterService_Lifecycle(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		org := MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := MustCreateMember(t, db, org.ID, "900001")
		ctx := as(amparo.RoleMember, org.ID)
		c := MustCreateClient(t, ctx, db, &amparo.Client{})

		l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID, Languages: []string{"es"}}
		if err := db.CreateLetter(ctx, l); err != nil {
			t.Fatal(err)
		}
		if l.Status != amparo.LetterDraft {
			t.Fatalf("new letter is %s, want draft", l.Status)
		}
		issued, err := db.IssueLetter(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if issued.Status != amparo.LetterActive || !issued.IssuedAt.Equal(now) || !issued.ValidUntil.Equal(now.AddDate(0, 0, 365)) {
			t.Fatalf("issued: %s %v..%v", issued.Status, issued.IssuedAt, issued.ValidUntil)
		}
		t.Run("ErrIssueTwice", func(t *testing.T) {
			_, err := db.IssueLetter(ctx, l.ID)
			wantCode(t, err, amparo.ECONFLICT)
		})
		t.Run("ErrSecondActiveLetter", func(t *testing.T) {
			l2 := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
			if err := db.CreateLetter(ctx, l2); err != nil {
				t.Fatal(err)
			}
			_, err := db.IssueLetter(ctx, l2.ID)
			wantCode(t, err, amparo.ECONFLICT)
		})

		now = now.Add(time.Hour)
		renewed, err := db.RenewLetter(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		old, _ := db.FindLetterByID(ctx, l.ID)
		if old.Status != amparo.LetterSuperseded || old.SupersededBy != renewed.ID {
			t.Fatalf("old letter after renewal: %s by %q", old.Status, old.SupersededBy)
		}
		if renewed.Status != amparo.LetterActive || renewed.ClientID != c.ID || !renewed.IssuedAt.Equal(now) || renewed.Languages[0] != "es" {
			t.Fatalf("renewal: %+v", renewed)
		}

		t.Run("ErrRevokeWithoutReason", func(t *testing.T) {
			_, err := db.RevokeLetter(ctx, renewed.ID, "  ")
			wantCode(t, err, amparo.EINVALID)
			if f := amparo.ErrorField(err); f != "revoke_reason" {
				t.Fatalf("field = %q", f)
			}
		})
		revoked, err := db.RevokeLetter(ctx, renewed.ID, "Client moved out of the service area")
		if err != nil {
			t.Fatal(err)
		}
		if revoked.Status != amparo.LetterRevoked || revoked.RevokeReason == "" || !revoked.RevokedAt.Equal(now) {
			t.Fatalf("revoked: %+v", revoked)
		}
		t.Run("ErrAlreadyRevoked", func(t *testing.T) {
			_, err := db.RevokeLetter(ctx, renewed.ID, "again")
			wantCode(t, err, amparo.ECONFLICT)
		})

		events, _, err := db.FindAuditEvents(system, amparo.AuditFilter{RecordType: "letter"})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range events {
			actions = append(actions, e.Action)
			if e.ActorRole != amparo.RoleMember || e.OrganizationID != org.ID {
				t.Errorf("event %s by %s of %q", e.Action, e.ActorRole, e.OrganizationID)
			}
		}
		want := []string{"letter.create", "phone_link.create", "letter.issue", "letter.create", "letter.supersede", "letter.issue", "letter.view", "letter.revoke"}
		if len(actions) != len(want) {
			t.Fatalf("audit actions %v, want %v", actions, want)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Fatalf("audit actions %v, want %v", actions, want)
			}
		}
	})
}

func TestLetterService_ExpireLetters(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return start }
		org := MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := MustCreateMember(t, db, org.ID, "900001")
		ctx := as(amparo.RoleOrgAdmin, org.ID)
		var ids []string
		for range 3 {
			c := MustCreateClient(t, ctx, db, &amparo.Client{})
			l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
			db.CreateLetter(ctx, l)
			if _, err := db.IssueLetter(ctx, l.ID); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		if n, err := db.ExpireLetters(ctx, start.AddDate(0, 0, 364)); err != nil || n != 0 {
			t.Fatalf("a day early: expired %d, %v", n, err)
		}
		if n, err := db.ExpireLetters(ctx, start.AddDate(0, 0, 365)); err != nil || n != 3 {
			t.Fatalf("on the day: expired %d, %v", n, err)
		}
		l, _ := db.FindLetterByID(ctx, ids[0])
		if l.Status != amparo.LetterExpired {
			t.Fatalf("status %s, want expired", l.Status)
		}
		if _, err := db.RenewLetter(ctx, ids[0]); err != nil {
			t.Fatalf("renewing an expired letter: %v", err)
		}
	})
}

func TestLetterService_Capacity(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		p, _ := db.FindProgram(system)
		p.LetterCapacity = 1
		if err := db.UpdateProgram(system, p); err != nil {
			t.Fatal(err)
		}
		org := MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := MustCreateMember(t, db, org.ID, "900001")
		ctx := as(amparo.RoleMember, org.ID)
		var err error
		for range 2 {
			c := MustCreateClient(t, ctx, db, &amparo.Client{})
			l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
			db.CreateLetter(ctx, l)
			_, err = db.IssueLetter(ctx, l.ID)
		}
		wantCode(t, err, amparo.ECONFLICT)
	})
}

func TestLetterService_Isolation(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		a := MustCreateOrganization(t, db, "Organización A Ejemplo")
		b := MustCreateOrganization(t, db, "Organization B Sample")
		ma := MustCreateMember(t, db, a.ID, "900001")
		mb := MustCreateMember(t, db, b.ID, "900002")
		ctxA, ctxB := as(amparo.RoleMember, a.ID), as(amparo.RoleMember, b.ID)
		c := MustCreateClient(t, ctxA, db, &amparo.Client{})
		l := &amparo.Letter{ClientID: c.ID, MemberID: ma.ID, OrganizationID: a.ID}
		if err := db.CreateLetter(ctxA, l); err != nil {
			t.Fatal(err)
		}
		_, err := db.FindLetterByID(ctxB, l.ID)
		wantCode(t, err, amparo.ENOTFOUND)
		_, err = db.RevokeLetter(ctxB, l.ID, "not mine")
		wantCode(t, err, amparo.ENOTFOUND)
		// B's member cannot sign for A's client, nor A's member for B.
		wantCode(t, db.CreateLetter(ctxB, &amparo.Letter{ClientID: c.ID, MemberID: mb.ID, OrganizationID: b.ID}), amparo.EINVALID)
		wantCode(t, db.CreateLetter(ctxA, &amparo.Letter{ClientID: c.ID, MemberID: mb.ID, OrganizationID: a.ID}), amparo.EINVALID)
		_, _, err = db.FindLetters(as(amparo.RoleFundOfficer, ""), amparo.LetterFilter{})
		wantCode(t, err, amparo.EFORBIDDEN)
		if ls, n, _ := db.FindLetters(ctxB, amparo.LetterFilter{}); n != 0 || len(ls) != 0 {
			t.Fatalf("B lists %d of A's letters", n)
		}
	})
}

func TestLetterService_IntakePreparesMembersSign(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := MustCreateMember(t, db, org.ID, "900001")
		intake := as(amparo.RoleIntake, org.ID)
		c := MustCreateClient(t, intake, db, &amparo.Client{})
		l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
		if err := db.CreateLetter(intake, l); err != nil {
			t.Fatal(err)
		}
		_, err := db.IssueLetter(intake, l.ID)
		wantCode(t, err, amparo.EFORBIDDEN)
		if _, err := db.IssueLetter(as(amparo.RoleMember, org.ID), l.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.RevokeLetter(intake, l.ID, "no")
		wantCode(t, err, amparo.EFORBIDDEN)
		_, err = db.RenewLetter(intake, l.ID)
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}
