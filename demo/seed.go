package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/amparo-project/amparo"
)

// Store is what seeding needs.
type Store interface {
	amparo.ProgramService
	amparo.OrganizationService
	amparo.MemberService
	amparo.ClientService
	amparo.LetterService
	amparo.KeyService
	amparo.AccountService
	amparo.ApplicantService
	amparo.WorkshopService
	amparo.AlertService
	amparo.RegistryService
	amparo.ScreeningPolicyService
	amparo.FundService
	amparo.VendorService
	amparo.ScreeningStore
	amparo.ReportService
}

// unusablePassword is the password hash of demo member accounts: it
// matches no password.
const unusablePassword = "!"

// Summary says what Seed made.
type Summary struct {
	Organizations int
	Members       int
	Clients       int
	Erased        int                         // clients erased for good after they were made
	Letters       map[amparo.LetterStatus]int // by status
	// IDs of one active and one revoked letter, to try verification with,
	// and of the first organization.
	ValidLetter, RevokedLetter, Organization string
	// Attorney is the account of the first organization's first member:
	// it signs that member's letters. Member accounts have no usable
	// password until the operator sets one (amparo demo does, for this one).
	Attorney       *amparo.Account
	AttorneyMember string // the member record Attorney is linked to
	// ProgramOffice runs the program, FundOfficer keeps its defense fund,
	// Procurement screens the first organization's vendors. Like members'
	// accounts, they have no usable password until the operator sets one.
	ProgramOffice, FundOfficer, Procurement *amparo.Account
	Workshops                               int
	Alerts                                  int // resolved, with their timelines
	// RegistryVersion is the border-wall registry's version the starter
	// registry made; the shipped screening policies are in force.
	RegistryVersion int
	FundedCases     int
	// Vendor is the first organization's screened vendor: fictional, with
	// an affidavit, a possible match and a reviewer's decision on it.
	Vendor string
	// Report is the council's report released and approved: the last
	// quarter over.
	Report string
}

// Seed fills an empty store with the demo program: 3 partner organizations,
// 10 members, 60 clients (two in three speaking Spanish) and letters in
// every status, signed by keys the program root certifies, whose QR codes
// point to verifyURL. setNow moves the store's clock, so that some letters are
// issued long enough ago to have expired; Seed leaves it at now.
func Seed(ctx context.Context, s Store, verifyURL string, now time.Time, setNow func(time.Time)) (*Summary, error) {
	defer setNow(now)
	r := rand.New(rand.NewPCG(2018, 1))
	ctx = amparo.NewContextWithActor(ctx, amparo.SystemActor)

	p, err := s.FindProgram(ctx)
	if err != nil {
		return nil, err
	}
	p.Name = "Programa de Cartas de Representación (demo)"
	p.Jurisdiction = "City of Ejemplo, California (fictional)"
	p.LetterCapacity = 500
	p.Languages = []string{"en", "es"}
	p.VerifyURL = verifyURL
	p.TimeZone = "America/Los_Angeles"
	if err := s.UpdateProgram(ctx, p); err != nil {
		return nil, err
	}

	// The keys date from before the oldest letter.
	setNow(now.AddDate(0, 0, -401))
	if _, err := s.CreateRootKey(ctx); err != nil {
		return nil, err
	}
	sum := &Summary{Letters: map[amparo.LetterStatus]int{}}
	orgs := []*amparo.Organization{
		{Name: "Centro Legal Ejemplo", Kind: amparo.OrgNonprofit, ContactName: "Coordinación Ejemplo", ContactEmail: "intake@centro-ejemplo.example", ContactPhone: "+1 213 555 0100", PublicPhone: "+1 213 555 0109", ServiceArea: []string{"Los Angeles", "East Los Angeles"}, Languages: []string{"en", "es"}, Capacity: 30},
		{Name: "Sample Immigrant Defense Project", Kind: amparo.OrgRecognized, ContactName: "Front Desk Sample", ContactEmail: "help@sample-defense.example", ContactPhone: "+1 213 555 0110", PublicPhone: "+1 213 555 0119", ServiceArea: []string{"Van Nuys", "Pacoima"}, Languages: []string{"en", "es", "ht"}, Capacity: 20},
		{Name: "Example & Prueba LLP (pro bono)", Kind: amparo.OrgLawFirm, ContactName: "Pro Bono Desk", ContactEmail: "probono@example-prueba.example", ContactPhone: "+1 213 555 0120", PublicPhone: "+1 213 555 0129", ServiceArea: []string{"Wilmington", "Boyle Heights"}, Languages: []string{"en", "es"}, Capacity: 10},
	}
	var members [][]*amparo.Member
	memberNames := []string{"Lic. Tomás Ficticio", "Atty. Grace Example", "Lic. Fabiola Supuesta", "Atty. Daniel Sample", "Lic. Ramón Inventado", "Atty. Ruth Placeholder", "Rep. Esther Muestra", "Lic. Andrés Modelo", "Atty. Peter Testwell", "Lic. Beatriz Imaginaria"}
	for i, o := range orgs {
		if err := s.CreateOrganization(ctx, o); err != nil {
			return nil, fmt.Errorf("organization %q: %w", o.Name, err)
		}
		if _, err := s.CreateIssuingKey(ctx, o.ID); err != nil {
			return nil, err
		}
		sum.Organizations++
		var ms []*amparo.Member
		for j := range []int{4, 3, 3}[i] {
			m := &amparo.Member{OrganizationID: o.ID, Name: memberNames[sum.Members], Kind: amparo.MemberAttorney,
				BarJurisdiction: "California", BarNumber: fmt.Sprintf("9%05d", 100*i+j), Email: fmt.Sprintf("member%d%d@%s", i, j, "members.example"),
				Languages: o.Languages, CaseCapacity: 15, PublicPhone: Phone(r)}
			if i == 1 && j == 2 {
				m.Kind, m.BarJurisdiction, m.BarNumber = amparo.MemberAccreditedRep, "", ""
				m.RecognizedOrg, m.AccreditationDate = o.Name, amparo.MustDate("2024-05-01")
			}
			if err := s.CreateMember(ctx, m); err != nil {
				return nil, fmt.Errorf("member %q: %w", m.Name, err)
			}
			// Each member signs in as themselves: their account is linked
			// to their record through an invitation for it.
			inv := &amparo.Invitation{Email: m.Email, Role: amparo.RoleMember, OrganizationID: o.ID, MemberID: m.ID}
			if err := s.CreateInvitation(ctx, inv); err != nil {
				return nil, err
			}
			a, err := s.AcceptInvitation(ctx, inv.Token, m.Name, unusablePassword)
			if err != nil {
				return nil, err
			}
			m.AccountID = a.ID
			if sum.Attorney == nil {
				sum.Attorney, sum.AttorneyMember = a, m.ID
			}
			ms = append(ms, m)
			sum.Members++
		}
		members = append(members, ms)
	}
	if _, err := s.SignTrustList(ctx, nil); err != nil {
		return nil, err
	}
	sum.Organization = orgs[0].ID

	// 60 clients, 20 per organization; letters for most of them. Letters
	// issued 400 days ago have expired; some of those were renewed
	// (superseded); a few active letters are revoked; some are drafts.
	for i := range 60 {
		oi := i % len(orgs)
		lang := "es"
		if i%3 == 2 {
			lang = "en"
		}
		c := Client(r, orgs[oi].ID, lang, now)
		intake := amparo.NewContextWithActor(ctx, amparo.Actor{ID: "demo-intake", Role: amparo.RoleIntake, OrganizationID: orgs[oi].ID})
		if err := s.CreateClient(intake, c); err != nil {
			return nil, fmt.Errorf("client %d: %w", i, err)
		}
		sum.Clients++
		kind := i % 10
		if kind == 9 {
			continue // waiting for a letter
		}
		m := members[oi][i%len(members[oi])]
		// The member named signs, as their own account with its second
		// factor, as they would on the web.
		octx := amparo.NewContextWithActor(ctx, amparo.Actor{ID: m.AccountID, Role: amparo.RoleMember, OrganizationID: orgs[oi].ID, SecondFactor: true})
		l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: orgs[oi].ID, Languages: []string{lang}}
		if kind == 6 || kind == 7 {
			setNow(now.AddDate(0, 0, -400))
		} else {
			ago := time.Duration(r.IntN(200*24)) * time.Hour
			if kind == 4 {
				// Issued almost a year ago: due for renewal within the
				// month, as the dashboard counts.
				ago = time.Duration(340+i%20) * 24 * time.Hour
			}
			setNow(now.Add(-ago))
		}
		if err := s.CreateLetter(intake, l); err != nil {
			return nil, err
		}
		if _, err := s.SubmitLetter(intake, l.ID); err != nil {
			return nil, err
		}
		if kind == 8 {
			continue // a draft awaiting the member's approval
		}
		if _, err := s.IssueLetter(octx, l.ID); err != nil {
			return nil, err
		}
		setNow(now)
		switch kind {
		case 5:
			if _, err := s.RevokeLetter(octx, l.ID, "Representation ended at the client's request"); err != nil {
				return nil, err
			}
			sum.RevokedLetter = l.ID
		case 0:
			sum.ValidLetter = l.ID
		case 6, 7:
			if _, err := s.ExpireLetters(octx, now); err != nil {
				return nil, err
			}
			if kind == 7 {
				if _, err := s.RenewLetter(octx, l.ID); err != nil {
					return nil, err
				}
			}
		}
	}
	// One client erased for good, as an organization admin erases one: the
	// erasures table and the erasure log hold its ID, and amparo restore
	// erases it again from a backup made before. Its own random source
	// keeps the rest of the demo as it was.
	gone := Client(rand.New(rand.NewPCG(2018, 2)), orgs[0].ID, "es", now)
	if err := s.CreateClient(amparo.NewContextWithActor(ctx, amparo.Actor{ID: "demo-intake", Role: amparo.RoleIntake, OrganizationID: orgs[0].ID}), gone); err != nil {
		return nil, err
	}
	if err := s.DeleteClient(amparo.NewContextWithActor(ctx, amparo.Actor{ID: "demo-admin", Role: amparo.RoleOrgAdmin, OrganizationID: orgs[0].ID}), gone.ID); err != nil {
		return nil, err
	}
	sum.Erased++
	if err := seedApplicants(ctx, s, orgs, now, setNow); err != nil {
		return nil, err
	}
	if sum.Workshops, err = seedWorkshops(ctx, s, orgs, members, now, setNow); err != nil {
		return nil, err
	}
	if sum.Alerts, err = seedAlerts(ctx, s, sum.ValidLetter, now, setNow); err != nil {
		return nil, err
	}
	setNow(now) // pending invitations run from today
	if err := seedOfficers(ctx, s, sum); err != nil {
		return nil, err
	}
	if sum.RegistryVersion, err = seedScreening(ctx, s); err != nil {
		return nil, err
	}
	if sum.FundedCases, err = seedFund(ctx, s, orgs, sum.FundOfficer.ID, now); err != nil {
		return nil, err
	}
	procurement := amparo.NewContextWithActor(ctx, amparo.Actor{ID: sum.Procurement.ID, Role: amparo.RoleProcurement, OrganizationID: sum.Organization})
	if sum.Vendor, err = seedVendor(procurement, s, sum.Organization); err != nil {
		return nil, err
	}
	if err := seedAccess(ctx, s, sum.Organization); err != nil {
		return nil, err
	}
	if sum.Report, err = seedReport(ctx, s, orgs, sum.FundOfficer.ID, now, setNow); err != nil {
		return nil, err
	}
	ls, _, err := s.FindLetters(ctx, amparo.LetterFilter{Limit: 1000})
	if err != nil {
		return nil, err
	}
	for _, l := range ls {
		sum.Letters[l.Status]++
	}
	return sum, nil
}
