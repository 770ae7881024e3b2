package sqldb_test

import (
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

func mustInvite(t *testing.T, db *sqldb.DB, email string, role amparo.Role, org string) *amparo.Invitation {
	t.Helper()
	inv := &amparo.Invitation{Email: email, Role: role, OrganizationID: org}
	if err := db.CreateInvitation(system, inv); err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestAccountService_Invitations(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Now()
		db.Now = func() time.Time { return now }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		inv := mustInvite(t, db, "Ana.Ejemplo@Example.ORG ", amparo.RoleMember, org.ID)
		if len(inv.Token) < 20 || inv.Email != "ana.ejemplo@example.org" {
			t.Fatalf("invitation %+v", inv)
		}
		t.Run("Rules", func(t *testing.T) {
			err := db.CreateInvitation(system, &amparo.Invitation{Email: "x@example.org", Role: amparo.RoleMember})
			wantCode(t, err, amparo.EINVALID)
			// An organization admin invites only its own organization's roles.
			orgAdmin := as(amparo.RoleOrgAdmin, org.ID)
			wantCode(t, db.CreateInvitation(orgAdmin, &amparo.Invitation{Email: "y@example.org", Role: amparo.RoleAuditor}), amparo.EFORBIDDEN)
			wantCode(t, db.CreateInvitation(orgAdmin, &amparo.Invitation{Email: "y@example.org", Role: amparo.RoleMember, OrganizationID: "other"}), amparo.EFORBIDDEN)
			if err := db.CreateInvitation(orgAdmin, &amparo.Invitation{Email: "y@example.org", Role: amparo.RoleIntake, OrganizationID: org.ID}); err != nil {
				t.Fatal(err)
			}
			wantCode(t, db.CreateInvitation(as(amparo.RoleMember, org.ID), &amparo.Invitation{Email: "z@example.org", Role: amparo.RoleMember, OrganizationID: org.ID}), amparo.EFORBIDDEN)
		})
		a, err := db.AcceptInvitation(public, inv.Token, "Ana Ejemplo", "$argon2id$fake")
		if err != nil {
			t.Fatal(err)
		}
		if a.Role != amparo.RoleMember || a.OrganizationID != org.ID || a.Email != inv.Email {
			t.Fatalf("account %+v", a)
		}
		t.Run("SingleUse", func(t *testing.T) {
			_, err := db.AcceptInvitation(public, inv.Token, "Otra Persona", "$argon2id$fake")
			wantCode(t, err, amparo.ENOTFOUND)
		})
		t.Run("Expired", func(t *testing.T) {
			inv := mustInvite(t, db, "late@example.org", amparo.RoleAuditor, "")
			now = now.Add(amparo.InvitationTTL + time.Second)
			_, err := db.FindInvitation(public, inv.Token)
			wantCode(t, err, amparo.ENOTFOUND)
		})
		t.Run("DuplicateEmail", func(t *testing.T) {
			inv := mustInvite(t, db, "ana.ejemplo@example.org", amparo.RoleIntake, org.ID)
			_, err := db.AcceptInvitation(public, inv.Token, "Ana Otra", "$argon2id$fake")
			wantCode(t, err, amparo.ECONFLICT)
		})
	})
}

func TestAccountService_SecondFactorAndSessions(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Now()
		db.Now = func() time.Time { return now }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		inv := mustInvite(t, db, "rosa@example.org", amparo.RoleOrgAdmin, org.ID)
		a, err := db.AcceptInvitation(public, inv.Token, "Rosa Ejemplo", "$argon2id$fake")
		if err != nil {
			t.Fatal(err)
		}
		self := amparo.NewContextWithActor(public, a.Actor())
		wantCode(t, db.SetTOTP(as(amparo.RoleOrgAdmin, org.ID), a.ID, "SECRET", nil), amparo.EFORBIDDEN)
		if err := db.SetTOTP(self, a.ID, "JBSWY3DPEHPK3PXP", [][]byte{[]byte("h1"), []byte("h2")}); err != nil {
			t.Fatal(err)
		}
		got, creds, err := db.FindCredentials(public, "ROSA@example.org")
		if err != nil || !got.TOTPEnabled || creds.TOTPSecret != "JBSWY3DPEHPK3PXP" || creds.PasswordHash != "$argon2id$fake" {
			t.Fatalf("credentials %+v %+v %v", got, creds, err)
		}
		if ok, _ := db.UseTOTPStep(public, a.ID, 100); !ok {
			t.Fatal("a fresh step refused")
		}
		for _, step := range []int64{100, 99} {
			if ok, _ := db.UseTOTPStep(public, a.ID, step); ok {
				t.Fatalf("step %d accepted twice or after a later one", step)
			}
		}
		if ok, _ := db.UseRecoveryCode(public, a.ID, []byte("h1")); !ok {
			t.Fatal("recovery code refused")
		}
		if ok, _ := db.UseRecoveryCode(public, a.ID, []byte("h1")); ok {
			t.Fatal("recovery code used twice")
		}

		token, err := db.CreateSession(public, a.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		s, err := db.FindSession(public, token)
		if err != nil || s.Account.ID != a.ID || !s.SecondFactor {
			t.Fatalf("session %+v %v", s, err)
		}
		t.Run("IdleTimeout", func(t *testing.T) {
			token, _ := db.CreateSession(public, a.ID, true)
			now = now.Add(amparo.SessionIdle + time.Minute)
			_, err := db.FindSession(public, token)
			wantCode(t, err, amparo.EUNAUTHORIZED)
		})
		t.Run("AbsoluteTimeout", func(t *testing.T) {
			token, _ := db.CreateSession(public, a.ID, true)
			created := now
			for range 30 { // active every 25 minutes, for 12.5 hours
				now = now.Add(25 * time.Minute)
				if _, err := db.FindSession(public, token); err != nil {
					if now.Sub(created) <= amparo.SessionAbsolute {
						t.Fatalf("ended early: %v", err)
					}
					return
				}
			}
			t.Fatal("the session outlived its absolute limit")
		})
		t.Run("SuspendEndsSessions", func(t *testing.T) {
			token, _ := db.CreateSession(public, a.ID, true)
			if err := db.SuspendAccount(as(amparo.RoleProgramAdmin, ""), a.ID); err != nil {
				t.Fatal(err)
			}
			_, err := db.FindSession(public, token)
			wantCode(t, err, amparo.EUNAUTHORIZED)
			_, err = db.CreateSession(public, a.ID, true)
			wantCode(t, err, amparo.EUNAUTHORIZED)
		})
	})
}
