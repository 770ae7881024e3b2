package demo

import (
	"context"

	"github.com/amparo-project/amparo"
)

// seedAccess makes what the people and access pages show: an auditor of
// the program office (no usable password), and invitations still pending,
// one to the program office and one to the first organization, to list
// and cancel.
func seedAccess(ctx context.Context, s Store, firstOrg string) error {
	if _, err := staffAccount(ctx, s, "auditoria@programa-ejemplo.example", "Olga Auditora Ejemplo", amparo.RoleAuditor, ""); err != nil {
		return err
	}
	for _, inv := range []*amparo.Invitation{
		{Email: "fondos@programa-ejemplo.example", Role: amparo.RoleFundOfficer},
		{Email: "recepcion@centro-ejemplo.example", Role: amparo.RoleIntake, OrganizationID: firstOrg},
	} {
		if err := s.CreateInvitation(ctx, inv); err != nil {
			return err
		}
	}
	return nil
}

// seedOfficers makes the accounts of the program office, its fund officer
// and the first organization's procurement officer.
func seedOfficers(ctx context.Context, s Store, sum *Summary) (err error) {
	if sum.ProgramOffice, err = staffAccount(ctx, s, "programa@ciudad-ejemplo.example", "Oficina del Programa Ejemplo", amparo.RoleProgramAdmin, ""); err != nil {
		return err
	}
	if sum.FundOfficer, err = staffAccount(ctx, s, "fondo@ciudad-ejemplo.example", "Fernanda Fondos Ejemplo", amparo.RoleFundOfficer, ""); err != nil {
		return err
	}
	sum.Procurement, err = staffAccount(ctx, s, "compras@centro-ejemplo.example", "Pablo Compras Ejemplo", amparo.RoleProcurement, sum.Organization)
	return err
}

// staffAccount makes an account through the invitation a real one gets,
// with no usable password.
func staffAccount(ctx context.Context, s Store, email, name string, role amparo.Role, org string) (*amparo.Account, error) {
	inv := &amparo.Invitation{Email: email, Role: role, OrganizationID: org}
	if err := s.CreateInvitation(ctx, inv); err != nil {
		return nil, err
	}
	return s.AcceptInvitation(ctx, inv.Token, name, unusablePassword)
}
