package sqldb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

func TestLetterService_Lifecycle(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		ctx := storetest.SignerFor(t, db, m)
		c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{})

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
		// Valid through 26 November 2027, to the midnight that ends it in
		// the program's time zone (UTC until set).
		if issued.Status != amparo.LetterActive || !issued.IssuedAt.Equal(now) || !issued.ValidUntil.Equal(time.Date(2027, 11, 27, 0, 0, 0, 0, time.UTC)) ||
			issued.ApprovedBy != m.AccountID {
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
			actions = append(actions, string(e.Action))
			if e.ActorRole != amparo.RoleMember || e.OrganizationID != org.ID || e.ActorName != m.Name {
				t.Errorf("event %s by %s %q of %q", e.Action, e.ActorRole, e.ActorName, e.OrganizationID)
			}
		}
		want := []string{"letter.create", "phone_link.create", "letter.issue", "letter.create", "letter.supersede", "letter.issue", "letter.view", "letter.revoke",
			"letter.revoke"} // revoking the renewal revokes the superseded letter, whose card still verifies
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
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return start }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		ctx := as(amparo.RoleOrgAdmin, org.ID)
		sign := storetest.SignerFor(t, db, m)
		var ids []string
		for range 3 {
			c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{})
			l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
			db.CreateLetter(ctx, l)
			if _, err := db.IssueLetter(sign, l.ID); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, l.ID)
		}
		// Issued on 1 January 2026, valid through 1 January 2027.
		if n, err := db.ExpireLetters(ctx, start.AddDate(0, 0, 366).Add(-time.Second)); err != nil || n != 0 {
			t.Fatalf("on the last day: expired %d, %v", n, err)
		}
		if n, err := db.ExpireLetters(ctx, start.AddDate(0, 0, 366)); err != nil || n != 3 {
			t.Fatalf("the day after: expired %d, %v", n, err)
		}
		l, _ := db.FindLetterByID(ctx, ids[0])
		if l.Status != amparo.LetterExpired {
			t.Fatalf("status %s, want expired", l.Status)
		}
		if _, err := db.RenewLetter(sign, ids[0]); err != nil {
			t.Fatalf("renewing an expired letter: %v", err)
		}
	})
}

func TestLetterService_Capacity(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		p, _ := db.FindProgram(system)
		p.LetterCapacity = 1
		if err := db.UpdateProgram(system, p); err != nil {
			t.Fatal(err)
		}
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		ctx := storetest.SignerFor(t, db, m)
		var err error
		var first string
		for range 2 {
			c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{})
			l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
			db.CreateLetter(ctx, l)
			_, err = db.IssueLetter(ctx, l.ID)
			if first == "" {
				first = l.ID
			}
		}
		wantCode(t, err, amparo.ECONFLICT)
		// A renewal takes the old letter's place: the superseded one, whose
		// card still verifies, is not counted twice.
		if _, err := db.RenewLetter(ctx, first); err != nil {
			t.Fatalf("renewing at capacity: %v", err)
		}
		if n, err := db.LettersLeft(system); err != nil || n != 0 {
			t.Fatalf("letters left %d, %v; want 0", n, err)
		}
	})
}

func TestLetterService_Isolation(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		a := storetest.MustCreateOrganization(t, db, "Organización A Ejemplo")
		b := storetest.MustCreateOrganization(t, db, "Organization B Sample")
		ma := storetest.MustCreateMember(t, db, a.ID, "900001")
		mb := storetest.MustCreateMember(t, db, b.ID, "900002")
		ctxA, ctxB := as(amparo.RoleMember, a.ID), as(amparo.RoleMember, b.ID)
		c := storetest.MustCreateClient(t, ctxA, db, &amparo.Client{})
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

// TestLetterService_OnlyTheNamedMemberSigns: intake staff prepare a draft
// and send it for approval; the member it names sees it awaiting them and
// approves it, signed in with their second factor. Nobody else issues or
// renews a letter in their name: not intake, an admin, another member, the
// operator, nor the member without their second factor.
func TestLetterService_OnlyTheNamedMemberSigns(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		other := storetest.MustCreateMember(t, db, org.ID, "900002")
		sign, otherSign := storetest.SignerFor(t, db, m), storetest.SignerFor(t, db, other)
		intake := as(amparo.RoleIntake, org.ID)
		c := storetest.MustCreateClient(t, intake, db, &amparo.Client{})
		l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
		if err := db.CreateLetter(intake, l); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := db.FindLetters(sign, amparo.LetterFilter{AwaitingApproval: true}); len(got) != 0 {
			t.Fatal("a draft not yet sent awaits approval")
		}
		sent, err := db.SubmitLetter(intake, l.ID)
		if err != nil || sent.SubmittedAt.IsZero() || sent.Status != amparo.LetterDraft {
			t.Fatalf("sent for approval: %+v %v", sent, err)
		}
		if got, n, _ := db.FindLetters(sign, amparo.LetterFilter{AwaitingApproval: true}); n != 1 || got[0].ID != l.ID {
			t.Fatalf("the member sees %d letters awaiting approval", n)
		}
		if _, n, _ := db.FindLetters(otherSign, amparo.LetterFilter{AwaitingApproval: true}); n != 0 {
			t.Fatalf("another member sees %d letters awaiting their approval", n)
		}
		noFactor := amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: m.AccountID, Role: amparo.RoleMember, OrganizationID: org.ID})
		for name, ctx := range map[string]context.Context{
			"intake": intake, "admin": as(amparo.RoleOrgAdmin, org.ID), "another member": otherSign,
			"operator": system, "no second factor": noFactor,
		} {
			_, err := db.IssueLetter(ctx, l.ID)
			if amparo.ErrorCode(err) != amparo.EFORBIDDEN {
				t.Errorf("%s issued: %v", name, err)
			}
		}
		if got, _ := db.FindLetterByID(sign, l.ID); got.Status != amparo.LetterDraft {
			t.Fatalf("after refusals the letter is %s", got.Status)
		}
		if _, err := db.IssueLetter(sign, l.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.RenewLetter(otherSign, l.ID)
		wantCode(t, err, amparo.EFORBIDDEN)
		_, err = db.RenewLetter(as(amparo.RoleOrgAdmin, org.ID), l.ID)
		wantCode(t, err, amparo.EFORBIDDEN)
		_, err = db.RevokeLetter(intake, l.ID, "no")
		wantCode(t, err, amparo.EFORBIDDEN)
		_, err = db.RevokeLetter(otherSign, l.ID, "not mine")
		wantCode(t, err, amparo.EFORBIDDEN)
		// The audit trail names the approver.
		events, _, err := db.FindAuditEvents(system, amparo.AuditFilter{Action: "letter.issue", RecordID: l.ID})
		if err != nil || len(events) != 1 || events[0].ActorName != m.Name || events[0].ActorID != m.AccountID {
			t.Fatalf("issue events %+v %v", events, err)
		}
		// An admin revokes on purpose.
		if _, err := db.RevokeLetter(as(amparo.RoleOrgAdmin, org.ID), l.ID, "Representation ended"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMemberService_LinkAccount(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		elsewhere := storetest.MustCreateOrganization(t, db, "Organization B Sample")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		m2 := storetest.MustCreateMember(t, db, org.ID, "900002")
		// Accepting an invitation for a member record links it.
		storetest.SignerFor(t, db, m)
		if got, _ := db.FindMemberByID(system, m.ID); got.AccountID == "" || got.AccountID != m.AccountID {
			t.Fatalf("linked account %q, want %q", got.AccountID, m.AccountID)
		}
		account := func(email string, role amparo.Role, orgID string) string {
			inv := &amparo.Invitation{Email: email, Role: role, OrganizationID: orgID}
			if err := db.CreateInvitation(system, inv); err != nil {
				t.Fatal(err)
			}
			a, err := db.AcceptInvitation(system, inv.Token, "Grace Example", "x")
			if err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		linkedTo := func(memberID string) string {
			got, err := db.FindMemberByID(system, memberID)
			if err != nil {
				t.Fatal(err)
			}
			return got.AccountID
		}
		audited := func(action, recordType, recordID string) int {
			_, n, err := db.FindAuditEvents(system, amparo.AuditFilter{Action: amparo.AuditAction(action), RecordType: recordType, RecordID: recordID})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		adminID := account("rosa@centro.example", amparo.RoleOrgAdmin, org.ID)
		admin := amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: adminID, Role: amparo.RoleOrgAdmin, OrganizationID: org.ID})
		programAdmin := as(amparo.RoleProgramAdmin, "")
		mine := account("grace@centro.example", amparo.RoleMember, org.ID)
		if err := db.LinkMemberAccount(admin, m2.ID, mine); err != nil {
			t.Fatal(err)
		}
		if linkedTo(m2.ID) != mine {
			t.Fatalf("linked %q", linkedTo(m2.ID))
		}
		if audited("member.link", "member", m2.ID) != 1 || audited("account.link", "account", mine) != 1 {
			t.Fatal("the link is not audited on the member and the account")
		}
		t.Run("ErrAdminOwnAccount", func(t *testing.T) {
			// The walk-through's attack: an admin links their own account to
			// an attorney's record, to sign in the attorney's name.
			m3 := storetest.MustCreateMember(t, db, org.ID, "900003")
			wantCode(t, db.LinkMemberAccount(admin, m3.ID, adminID), amparo.EINVALID)
			wantCode(t, db.LinkMemberAccount(programAdmin, m3.ID, adminID), amparo.EINVALID)
			if linkedTo(m3.ID) != "" {
				t.Fatal("the admin's account was linked")
			}
		})
		t.Run("ErrRelinkByOrgAdmin", func(t *testing.T) {
			// m is linked to its attorney's account: an admin can neither
			// move it to another account nor unlink it.
			spare := account("spare@centro.example", amparo.RoleMember, org.ID)
			err := db.LinkMemberAccount(admin, m.ID, spare)
			wantCode(t, err, amparo.ECONFLICT)
			if !strings.Contains(amparo.ErrorMessage(err), "program office") {
				t.Errorf("the refusal does not say who can: %v", err)
			}
			wantCode(t, db.LinkMemberAccount(admin, m.ID, ""), amparo.ECONFLICT)
			if linkedTo(m.ID) != m.AccountID {
				t.Fatal("the attorney's account was unlinked")
			}
			// Linking the same account again changes nothing.
			if err := db.LinkMemberAccount(admin, m.ID, m.AccountID); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("ErrAlreadyLinked", func(t *testing.T) {
			m4 := storetest.MustCreateMember(t, db, org.ID, "900004")
			wantCode(t, db.LinkMemberAccount(admin, m4.ID, m.AccountID), amparo.ECONFLICT)
		})
		t.Run("ErrOtherOrganization", func(t *testing.T) {
			m5 := storetest.MustCreateMember(t, db, org.ID, "900005")
			theirs := account("peter@sample.example", amparo.RoleMember, elsewhere.ID)
			wantCode(t, db.LinkMemberAccount(admin, m5.ID, theirs), amparo.EINVALID)
		})
		t.Run("ErrIntakeAccount", func(t *testing.T) {
			m6 := storetest.MustCreateMember(t, db, org.ID, "900006")
			intake := account("front@centro.example", amparo.RoleIntake, org.ID)
			wantCode(t, db.LinkMemberAccount(admin, m6.ID, intake), amparo.EINVALID)
		})
		t.Run("ErrNotAnAdmin", func(t *testing.T) {
			wantCode(t, db.LinkMemberAccount(as(amparo.RoleMember, org.ID), m2.ID, ""), amparo.EFORBIDDEN)
			wantCode(t, db.LinkMemberAccount(as(amparo.RoleOrgAdmin, elsewhere.ID), m2.ID, ""), amparo.EFORBIDDEN)
		})
		t.Run("ErrInvitationForAdmin", func(t *testing.T) {
			// A member record is linked only to the person who signs: an
			// invitation for it is for the member role.
			inv := &amparo.Invitation{Email: "boss@centro.example", Role: amparo.RoleOrgAdmin, OrganizationID: org.ID, MemberID: m2.ID}
			wantCode(t, db.CreateInvitation(admin, inv), amparo.EINVALID)
		})
		t.Run("ProgramOfficeUnlinksAndRelinks", func(t *testing.T) {
			if err := db.LinkMemberAccount(programAdmin, m2.ID, ""); err != nil {
				t.Fatal(err)
			}
			if linkedTo(m2.ID) != "" {
				t.Fatal("still linked")
			}
			if audited("member.unlink", "member", m2.ID) != 1 || audited("account.unlink", "account", mine) != 1 {
				t.Fatal("the unlink is not audited")
			}
			if err := db.LinkMemberAccount(programAdmin, m2.ID, mine); err != nil {
				t.Fatal(err)
			}
			other := account("grace2@centro.example", amparo.RoleMember, org.ID)
			if err := db.LinkMemberAccount(programAdmin, m2.ID, other); err != nil {
				t.Fatal(err)
			}
			if linkedTo(m2.ID) != other || audited("member.unlink", "member", m2.ID) != 2 || audited("account.link", "account", other) != 1 {
				t.Fatal("the program office's relink is not done and audited")
			}
		})
		t.Run("InvitationRelinks", func(t *testing.T) {
			// The person the record names accepts an invitation for it: their
			// new account replaces the one linked before.
			before := linkedTo(m2.ID)
			inv := &amparo.Invitation{Email: "grace.new@centro.example", Role: amparo.RoleMember, OrganizationID: org.ID, MemberID: m2.ID}
			if err := db.CreateInvitation(admin, inv); err != nil {
				t.Fatal(err)
			}
			a, err := db.AcceptInvitation(system, inv.Token, "Grace Example", "x")
			if err != nil {
				t.Fatal(err)
			}
			if linkedTo(m2.ID) != a.ID || audited("account.unlink", "account", before) == 0 {
				t.Fatalf("linked to %q after the invitation", linkedTo(m2.ID))
			}
		})
	})
}

// TestLetterService_ValidThroughTheProgramsDay: a letter is valid through
// the end of its last day in the program's time zone, whatever zone the
// server runs in: at 23:59 there it verifies, at midnight it has expired.
func TestLetterService_ValidThroughTheProgramsDay(t *testing.T) {
	t.Parallel()
	for _, zone := range []string{"America/Los_Angeles", "Europe/Madrid"} {
		t.Run(zone, func(t *testing.T) {
			each(t, func(t *testing.T, db *sqldb.DB) {
				loc, err := time.LoadLocation(zone)
				if err != nil {
					t.Fatal(err)
				}
				p, _ := db.FindProgram(system)
				p.TimeZone = zone
				if err := db.UpdateProgram(system, p); err != nil {
					t.Fatal(err)
				}
				// Issued at 22:30 on 3 December 2026 there: already the
				// 4th in UTC for Los Angeles.
				now := time.Date(2026, 12, 3, 22, 30, 0, 0, loc)
				db.Now = func() time.Time { return now }
				org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
				m := storetest.MustCreateMember(t, db, org.ID, "900001")
				l := mustIssue(t, db, org, m)
				if want := time.Date(2027, 12, 4, 0, 0, 0, 0, loc); !l.ValidUntil.Equal(want) {
					t.Fatalf("valid until %v, want %v", l.ValidUntil.In(loc), want)
				}
				p, _ = db.FindProgram(system)
				if d := p.LastValidDay(l.ValidUntil).String(); d != "2027-12-03" {
					t.Fatalf("last valid day %s, want 2027-12-03", d)
				}
				v := verifier(t, db)
				if r := v.Verify(l.QR, time.Date(2027, 12, 3, 23, 59, 0, 0, loc)); r.Status != credential.StatusValid {
					t.Fatalf("at 23:59 on the last day: %s (%s)", r.Status, r.Reason)
				}
				if r := v.Verify(l.QR, time.Date(2027, 12, 4, 0, 0, 0, 0, loc)); r.Status != credential.StatusExpired {
					t.Fatalf("at midnight after the last day: %s", r.Status)
				}
				if n, _ := db.ExpireLetters(system, time.Date(2027, 12, 3, 23, 59, 59, 0, loc)); n != 0 {
					t.Fatalf("expired %d letters on their last day", n)
				}
				if n, _ := db.ExpireLetters(system, time.Date(2027, 12, 4, 0, 0, 0, 0, loc)); n != 1 {
					t.Fatalf("expired %d letters the day after, want 1", n)
				}
			})
		})
	}
}

func TestProgramService_TimeZone(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		p, _ := db.FindProgram(system)
		if p.TimeZone != amparo.DefaultTimeZone {
			t.Fatalf("default time zone %q", p.TimeZone)
		}
		p.TimeZone = "Mars/Olympus_Mons"
		err := db.UpdateProgram(system, p)
		wantCode(t, err, amparo.EINVALID)
		if amparo.ErrorField(err) != "time_zone" {
			t.Fatalf("field %q", amparo.ErrorField(err))
		}
		p.TimeZone = "Pacific/Honolulu"
		if err := db.UpdateProgram(system, p); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindProgram(system); got.TimeZone != "Pacific/Honolulu" {
			t.Fatalf("time zone %q", got.TimeZone)
		}
	})
}
