package sqldb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// audited reports whether an event of action names the record.
func audited(t *testing.T, db *sqldb.DB, action amparo.AuditAction, id string) bool {
	t.Helper()
	_, n, err := db.FindAuditEvents(system, amparo.AuditFilter{Action: action, RecordID: id})
	if err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func mustAccept(t *testing.T, db *sqldb.DB, email string, role amparo.Role, org, name string) *amparo.Account {
	t.Helper()
	inv := mustInvite(t, db, email, role, org)
	a, err := db.AcceptInvitation(public, inv.Token, name, "$argon2id$fake")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAccountService_PendingInvitations(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Now()
		db.Now = func() time.Time { return now }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		other := storetest.MustCreateOrganization(t, db, "Otro Centro Ejemplo")
		auditor := mustInvite(t, db, "auditora@example.org", amparo.RoleAuditor, "")
		now = now.Add(time.Second)
		intake := mustInvite(t, db, "recepcion@example.org", amparo.RoleIntake, org.ID)
		now = now.Add(time.Second)
		second := mustInvite(t, db, "segunda@example.org", amparo.RoleMember, org.ID)
		mustInvite(t, db, "ajena@example.org", amparo.RoleIntake, other.ID)
		orgAdmin := as(amparo.RoleOrgAdmin, org.ID)

		invs, n, err := db.FindInvitations(orgAdmin, amparo.InvitationFilter{OrganizationID: org.ID})
		if err != nil || n != 2 || len(invs) != 2 || invs[0].ID != second.ID || invs[1].ID != intake.ID || invs[0].Token != "" {
			t.Fatalf("pending of the organization, newest first: %d %+v %v", n, invs, err)
		}
		if invs[0].Email != "segunda@example.org" || invs[0].Role != amparo.RoleMember || invs[0].ExpiresAt.IsZero() || invs[0].CreatedAt.IsZero() {
			t.Fatalf("invitation %+v", invs[0])
		}
		_, _, err = db.FindInvitations(orgAdmin, amparo.InvitationFilter{OrganizationID: other.ID})
		wantCode(t, err, amparo.EFORBIDDEN)
		_, _, err = db.FindInvitations(orgAdmin, amparo.InvitationFilter{})
		wantCode(t, err, amparo.EFORBIDDEN)
		prog, n, err := db.FindInvitations(as(amparo.RoleProgramAdmin, ""), amparo.InvitationFilter{})
		if err != nil || n != 1 || prog[0].ID != auditor.ID {
			t.Fatalf("program-level pending: %d %+v %v", n, prog, err)
		}

		t.Run("Cancel", func(t *testing.T) {
			// An organization admin cannot cancel another organization's
			// invitation, nor a program-level one.
			wantCode(t, db.CancelInvitation(orgAdmin, auditor.ID), amparo.EFORBIDDEN)
			wantCode(t, db.CancelInvitation(as(amparo.RoleOrgAdmin, other.ID), intake.ID), amparo.EFORBIDDEN)
			wantCode(t, db.CancelInvitation(as(amparo.RoleIntake, org.ID), intake.ID), amparo.EFORBIDDEN)
			if err := db.CancelInvitation(orgAdmin, intake.ID); err != nil {
				t.Fatal(err)
			}
			if !audited(t, db, amparo.AuditInvitationCancel, intake.ID) {
				t.Fatal("the cancellation is not audited")
			}
			_, err := db.FindInvitation(public, intake.Token)
			wantCode(t, err, amparo.ENOTFOUND)
			_, err = db.AcceptInvitation(public, intake.Token, "Rita Ejemplo", "$argon2id$fake")
			wantCode(t, err, amparo.ENOTFOUND)
			wantCode(t, db.CancelInvitation(orgAdmin, intake.ID), amparo.ENOTFOUND)
			_, n, _ := db.FindInvitations(orgAdmin, amparo.InvitationFilter{OrganizationID: org.ID})
			if n != 1 {
				t.Fatalf("%d pending after cancelling one of two", n)
			}
			if err := db.CancelInvitation(as(amparo.RoleProgramAdmin, ""), auditor.ID); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("UsedAndExpiredAreNotPending", func(t *testing.T) {
			if _, err := db.AcceptInvitation(public, second.Token, "Segunda Ejemplo", "$argon2id$fake"); err != nil {
				t.Fatal(err)
			}
			wantCode(t, db.CancelInvitation(orgAdmin, second.ID), amparo.ENOTFOUND)
			late := mustInvite(t, db, "tarde@example.org", amparo.RoleIntake, org.ID)
			now = now.Add(amparo.InvitationTTL + time.Second)
			_, n, _ := db.FindInvitations(orgAdmin, amparo.InvitationFilter{OrganizationID: org.ID})
			if n != 0 {
				t.Fatalf("%d pending after use and expiry", n)
			}
			wantCode(t, db.CancelInvitation(orgAdmin, late.ID), amparo.ENOTFOUND)
		})
	})
}

func TestAccountService_SuspendAndReactivate(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		other := storetest.MustCreateOrganization(t, db, "Otro Centro Ejemplo")
		staff := mustAccept(t, db, "recepcion@example.org", amparo.RoleIntake, org.ID, "Rita Ejemplo")
		auditor := mustAccept(t, db, "auditora@example.org", amparo.RoleAuditor, "", "Olga Ejemplo")
		admin := mustAccept(t, db, "jefa@example.org", amparo.RoleOrgAdmin, org.ID, "Jefa Ejemplo")
		orgAdmin := amparo.NewContextWithActor(context.Background(), admin.Actor())

		// Scoped by organization: another organization's admin, and an
		// organization admin for a program-level account, are refused.
		wantCode(t, db.SuspendAccount(as(amparo.RoleOrgAdmin, other.ID), staff.ID), amparo.EFORBIDDEN)
		wantCode(t, db.SuspendAccount(orgAdmin, auditor.ID), amparo.EFORBIDDEN)
		wantCode(t, db.SuspendAccount(orgAdmin, admin.ID), amparo.EINVALID)
		if err := db.SuspendAccount(orgAdmin, staff.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.ReactivateAccount(as(amparo.RoleOrgAdmin, other.ID), staff.ID), amparo.EFORBIDDEN)
		if _, err := db.CreateSession(public, staff.ID, true); amparo.ErrorCode(err) != amparo.EUNAUTHORIZED {
			t.Fatalf("a suspended account signs in: %v", err)
		}
		if err := db.ReactivateAccount(orgAdmin, staff.ID); err != nil {
			t.Fatal(err)
		}
		if a, _ := db.FindAccountByID(system, staff.ID); a.Status != amparo.AccountActive {
			t.Fatalf("status %q after reactivating", a.Status)
		}
		if !audited(t, db, amparo.AuditAccountReactivate, staff.ID) {
			t.Fatal("reactivating is not audited")
		}
		wantCode(t, db.ReactivateAccount(orgAdmin, staff.ID), amparo.ECONFLICT)
		if _, err := db.CreateSession(public, staff.ID, true); err != nil {
			t.Fatalf("a reactivated account cannot sign in: %v", err)
		}
		wantCode(t, db.ReactivateAccount(orgAdmin, "nope"), amparo.ENOTFOUND)
	})
}

func TestAccountService_FindAccountsBy(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		for i := range 55 {
			mustAccept(t, db, fmt.Sprintf("persona%02d@example.org", i), amparo.RoleIntake, org.ID, fmt.Sprintf("Persona %02d Ejemplo", i))
		}
		mustAccept(t, db, "zoila@example.org", amparo.RoleOrgAdmin, org.ID, "Zoila Ejemplo")
		mustAccept(t, db, "auditora@example.org", amparo.RoleAuditor, "", "Olga Ejemplo")
		orgAdmin := as(amparo.RoleOrgAdmin, org.ID)

		as1, n, err := db.FindAccountsBy(orgAdmin, amparo.AccountFilter{OrganizationID: org.ID, Limit: 50})
		if err != nil || n != 56 || len(as1) != 50 || as1[0].Name != "Persona 00 Ejemplo" {
			t.Fatalf("first page: %d %d %v", n, len(as1), err)
		}
		last, _, _ := db.FindAccountsBy(orgAdmin, amparo.AccountFilter{OrganizationID: org.ID, Offset: 50, Limit: 50})
		if len(last) != 6 || last[5].Name != "Zoila Ejemplo" {
			t.Fatalf("last page: %d", len(last))
		}
		desc, _, _ := db.FindAccountsBy(orgAdmin, amparo.AccountFilter{OrganizationID: org.ID, Sort: "-name", Limit: 1})
		if desc[0].Name != "Zoila Ejemplo" {
			t.Fatalf("by name descending: %s", desc[0].Name)
		}
		found, n, _ := db.FindAccountsBy(orgAdmin, amparo.AccountFilter{OrganizationID: org.ID, Q: "zoi"})
		if n != 1 || found[0].Email != "zoila@example.org" {
			t.Fatalf("search: %d", n)
		}
		// A search's wildcards are text.
		if _, n, _ := db.FindAccountsBy(orgAdmin, amparo.AccountFilter{OrganizationID: org.ID, Q: "%"}); n != 0 {
			t.Fatalf("%% matched %d", n)
		}
		_, _, err = db.FindAccountsBy(orgAdmin, amparo.AccountFilter{OrganizationID: org.ID, Sort: "password_hash"})
		wantCode(t, err, amparo.EINVALID)
		_, _, err = db.FindAccountsBy(orgAdmin, amparo.AccountFilter{})
		wantCode(t, err, amparo.EFORBIDDEN)
		prog, n, err := db.FindAccountsBy(as(amparo.RoleProgramAdmin, ""), amparo.AccountFilter{})
		if err != nil || n != 1 || prog[0].Role != amparo.RoleAuditor {
			t.Fatalf("program-level accounts: %d %v", n, err)
		}
	})
}

func TestAccountService_RecoveryCodesLeft(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		a := mustAccept(t, db, "auditora@example.org", amparo.RoleAuditor, "", "Olga Ejemplo")
		self := amparo.NewContextWithActor(context.Background(), a.Actor())
		if err := db.SetTOTP(self, a.ID, "JBSWY3DPEHPK3PXP", [][]byte{[]byte("h1"), []byte("h2"), []byte("h3")}); err != nil {
			t.Fatal(err)
		}
		if ok, _ := db.UseRecoveryCode(public, a.ID, []byte("h2")); !ok {
			t.Fatal("code refused")
		}
		if n, err := db.RecoveryCodesLeft(self, a.ID); err != nil || n != 2 {
			t.Fatalf("%d left, %v", n, err)
		}
		_, err := db.RecoveryCodesLeft(as(amparo.RoleProgramAdmin, ""), a.ID)
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

func TestMemberService_ReactivateAndSearch(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		o := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, o.ID, "900001")
		orgAdmin := as(amparo.RoleOrgAdmin, o.ID)
		m.Status = amparo.MemberSuspended
		if err := db.UpdateMember(orgAdmin, m); err != nil {
			t.Fatal(err)
		}
		m.Status = amparo.MemberActive
		if err := db.UpdateMember(orgAdmin, m); err != nil {
			t.Fatal(err)
		}
		if !audited(t, db, amparo.AuditMemberSuspend, m.ID) || !audited(t, db, amparo.AuditMemberReactivate, m.ID) {
			t.Fatal("suspending and reactivating are not audited as such")
		}
		m.Status = amparo.MemberActive
		wantCode(t, db.UpdateMember(as(amparo.RoleOrgAdmin, "other"), m), amparo.EFORBIDDEN)
		if _, n, _ := db.FindMembers(system, amparo.MemberFilter{OrganizationID: o.ID, Q: "TOMÁS"[:3]}); n != 1 {
			t.Fatalf("search by name: %d", n)
		}
		_, _, err := db.FindMembers(system, amparo.MemberFilter{Sort: "bar_number; DROP TABLE members"})
		wantCode(t, err, amparo.EINVALID)
	})
}

func TestOrganizationService_SearchAndSort(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		storetest.MustCreateOrganization(t, db, "Asesoría Ejemplo")
		os, n, err := db.FindOrganizations(system, amparo.OrganizationFilter{Q: "centro"})
		if err != nil || n != 1 || os[0].Name != "Centro Legal Ejemplo" {
			t.Fatalf("search: %d %v", n, err)
		}
		os, _, _ = db.FindOrganizations(system, amparo.OrganizationFilter{Sort: "-name"})
		if os[0].Name != "Centro Legal Ejemplo" {
			t.Fatalf("by name descending: %s", os[0].Name)
		}
		_, _, err = db.FindOrganizations(system, amparo.OrganizationFilter{Sort: "kind"})
		wantCode(t, err, amparo.EINVALID)
	})
}
