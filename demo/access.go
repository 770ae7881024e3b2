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
	inv := &amparo.Invitation{Email: "auditoria@programa-ejemplo.example", Role: amparo.RoleAuditor}
	if err := s.CreateInvitation(ctx, inv); err != nil {
		return err
	}
	if _, err := s.AcceptInvitation(ctx, inv.Token, "Olga Auditora Ejemplo", unusablePassword); err != nil {
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

// seedOfficers makes the accounts of the program's fund officer and of the
// first organization's procurement officer, through the invitations a real
// one gets.
func seedOfficers(ctx context.Context, s Store, firstOrg string) (fund, procurement *amparo.Account, err error) {
	accept := func(email, name string, role amparo.Role, org string) (*amparo.Account, error) {
		inv := &amparo.Invitation{Email: email, Role: role, OrganizationID: org}
		if err := s.CreateInvitation(ctx, inv); err != nil {
			return nil, err
		}
		return s.AcceptInvitation(ctx, inv.Token, name, unusablePassword)
	}
	if fund, err = accept("fondo@ciudad-ejemplo.example", "Fernanda Fondos Ejemplo", amparo.RoleFundOfficer, ""); err != nil {
		return nil, nil, err
	}
	if procurement, err = accept("compras@centro-ejemplo.example", "Pablo Compras Ejemplo", amparo.RoleProcurement, firstOrg); err != nil {
		return nil, nil, err
	}
	return fund, procurement, nil
}
