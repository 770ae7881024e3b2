package main

import (
	"context"
	"fmt"

	"github.com/amparo-project/amparo"
)

// runInvite makes an invitation link from the server itself: how the first
// program administrator of an installation gets an account.
func runInvite(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("invite")
	m.dataFlags(fs)
	email := fs.String("email", "", "the invited person's `email` address (required)")
	role := fs.String("role", string(amparo.RoleProgramAdmin), "the `role`: program_admin, org_admin, member, intake, organizer, fund_officer, procurement or auditor")
	org := fs.String("org", "", "the organization `ID`, for organization roles")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		fmt.Fprintln(m.Stderr, "amparo invite: --email is required (run amparo invite --help)")
		return errUsage
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	inv := &amparo.Invitation{Email: *email, Role: amparo.Role(*role), OrganizationID: *org}
	if err := m.DB.CreateInvitation(system(ctx), inv); err != nil {
		return err
	}
	p, err := m.DB.FindProgram(system(ctx))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Give this link to %s; it works once, until %s:\n  %s\n",
		inv.Email, inv.ExpiresAt.Format("2006-01-02 15:04 MST"), p.InviteURL(inv.Token))
	return nil
}
