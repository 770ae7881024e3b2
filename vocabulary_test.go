package amparo_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"html/template"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// TestAuditActions: every action is listed once and names the type of
// record it is about.
func TestAuditActions(t *testing.T) {
	seen := map[amparo.AuditAction]bool{}
	for _, a := range amparo.AuditActions {
		if seen[a] {
			t.Errorf("%s listed twice", a)
		}
		seen[a] = true
		if a.RecordType() == "" {
			t.Errorf("%s has no record type", a)
		}
	}
	for _, tt := range []struct {
		action amparo.AuditAction
		want   string
	}{
		{amparo.AuditLetterIssue, amparo.RecordLetter},
		{amparo.AuditPhoneLinkCreate, amparo.RecordLetter}, // made through a letter, named by it
		{amparo.AuditPhoneLinkOpen, amparo.RecordPhoneLink},
		{amparo.AuditClientList, amparo.RecordOrganization},
		{amparo.AuditApplicantList, amparo.RecordOrganization},
		{amparo.AuditKeyCreate, amparo.RecordSigningKey},
		{amparo.AuditAction("no.such"), ""},
	} {
		if got := tt.action.RecordType(); got != tt.want {
			t.Errorf("%s.RecordType() = %q, want %q", tt.action, got, tt.want)
		}
	}
}

// TestActor_Permissions: who may do what, by role.
func TestActor_Permissions(t *testing.T) {
	const org, other = "org-1", "org-2"
	actor := func(r amparo.Role, orgID string) amparo.Actor {
		return amparo.Actor{ID: "a-" + string(r), Role: r, OrganizationID: orgID}
	}
	type can struct{ runs, keys, audit, verify, clients, writes, intake, decides, administers bool }
	for _, tt := range []struct {
		a    amparo.Actor
		want can
	}{
		{amparo.SystemActor, can{true, true, true, true, true, true, true, true, true}},
		{actor(amparo.RoleProgramAdmin, ""), can{runs: true, keys: true, audit: true, administers: true}},
		{actor(amparo.RoleOrgAdmin, org), can{clients: true, writes: true, intake: true, decides: true, administers: true}},
		{actor(amparo.RoleOrgAdmin, other), can{clients: true, decides: true}},
		{actor(amparo.RoleMember, org), can{clients: true, writes: true, intake: true, decides: true}},
		{actor(amparo.RoleIntake, org), can{clients: true, writes: true, intake: true}},
		{actor(amparo.RoleAuditor, ""), can{audit: true, verify: true}},
		{actor(amparo.RoleFundOfficer, ""), can{}},
		{amparo.PublicIntakeActor(org), can{intake: true}},
		{amparo.PublicIntakeActor(other), can{}},
		{amparo.VisitorActor, can{}},
		{amparo.AccountActor("acc-1"), can{}},
	} {
		a := tt.a
		got := can{a.RunsProgram(), a.ManagesKeys(), a.ReadsAudit(), a.VerifiesAudit(), a.SeesClients(), a.WritesClientsOf(org),
			a.SubmitsIntakeTo(org), a.DecidesMatches(), a.Administers(org)}
		if got != tt.want {
			t.Errorf("%s of %q: %+v, want %+v", a.Role, a.OrganizationID, got, tt.want)
		}
	}
	if (amparo.Actor{Role: amparo.RoleOrgAdmin, OrganizationID: org}).Administers("") {
		t.Error("an organization admin administers the program-wide accounts")
	}
	if !actor(amparo.RoleOrgAdmin, org).Invites(amparo.RoleMember, org) || actor(amparo.RoleOrgAdmin, org).Invites(amparo.RoleAuditor, "") ||
		actor(amparo.RoleOrgAdmin, org).Invites(amparo.RoleMember, other) || !actor(amparo.RoleProgramAdmin, "").Invites(amparo.RoleAuditor, "") ||
		actor(amparo.RoleMember, org).Invites(amparo.RoleMember, org) {
		t.Error("invitations: an org admin invites its own organization's roles, the program office any, a member none")
	}
}

// TestActor_SignsFor: only the account linked to a member, in its
// organization, with its second factor, signs in its name; revoking is
// also its organization's admins' and the operator's.
func TestActor_SignsFor(t *testing.T) {
	m := &amparo.Member{ID: "m-1", OrganizationID: "org-1", AccountID: "acc-1"}
	self := amparo.Actor{ID: "acc-1", Role: amparo.RoleMember, OrganizationID: "org-1", SecondFactor: true}
	noFactor := self
	noFactor.SecondFactor = false
	admin := amparo.Actor{ID: "acc-2", Role: amparo.RoleOrgAdmin, OrganizationID: "org-1", SecondFactor: true}
	otherAdmin := amparo.Actor{ID: "acc-3", Role: amparo.RoleOrgAdmin, OrganizationID: "org-2", SecondFactor: true}
	for _, tt := range []struct {
		name          string
		a             amparo.Actor
		m             *amparo.Member
		signs, revoke bool
	}{
		{"the member", self, m, true, true},
		{"the member without a second factor", noFactor, m, false, true},
		{"the organization's admin", admin, m, false, true},
		{"another organization's admin", otherAdmin, m, false, false},
		{"the operator", amparo.SystemActor, m, false, true},
		{"anyone, for an unlinked member", amparo.Actor{Role: amparo.RoleMember, OrganizationID: "org-1", SecondFactor: true}, &amparo.Member{OrganizationID: "org-1"}, false, false},
	} {
		if got := tt.a.SignsFor(tt.m); got != tt.signs {
			t.Errorf("%s signs: %v", tt.name, got)
		}
		if got := tt.a.RevokesFor(tt.m); got != tt.revoke {
			t.Errorf("%s revokes: %v", tt.name, got)
		}
	}
}

// TestStatuses_InTemplates: templates compare typed statuses and kinds
// with string literals (eq .Status "active") and print them into catalog
// keys; both work on the named types.
func TestStatuses_InTemplates(t *testing.T) {
	tmpl := template.Must(template.New("").Parse(`{{if eq .Status "active"}}active{{else}}not{{end}} {{print "letters.status." .Status}} {{if eq .Kind "attorney"}}attorney{{end}}`))
	var b strings.Builder
	if err := tmpl.Execute(&b, struct {
		Status amparo.LetterStatus
		Kind   amparo.MemberKind
	}{amparo.LetterActive, amparo.MemberAttorney}); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "active letters.status.active attorney" {
		t.Fatalf("got %q", got)
	}
	if !slices.Contains(amparo.LetterStatuses, amparo.LetterSuperseded) || !slices.Contains(amparo.ApplicantStatuses, amparo.ApplicantServed) {
		t.Fatal("status lists are incomplete")
	}
}

// TestValidate_TypedStatus: a value outside a typed status's constants is
// refused, naming the field.
func TestValidate_TypedStatus(t *testing.T) {
	m := &amparo.Member{OrganizationID: "o", Name: "Ana Ejemplo", Kind: amparo.MemberAttorney, BarJurisdiction: "California", BarNumber: "900001",
		Email: "ana@example.org", Languages: []string{"es"}, PublicPhone: "213-555-0100", Status: amparo.MemberStatus(amparo.LetterDraft)}
	if err := m.Validate(); amparo.ErrorCode(err) != amparo.EINVALID || amparo.ErrorField(err) != "status" {
		t.Fatalf("a member in a letter's status: %v", err)
	}
	m.Status = amparo.MemberActive
	if err := m.Validate(); err != nil {
		t.Fatalf("a valid member: %v", err)
	}
}

// TestServiceInterfaces_Documented: every method of every service
// interface says what it does and the errors it returns.
func TestServiceInterfaces_Documented(t *testing.T) {
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	methods := 0
	for _, f := range pkgs["amparo"].Files {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			it, ok := ts.Type.(*ast.InterfaceType)
			if !ok || !strings.HasSuffix(ts.Name.Name, "Service") {
				return true
			}
			for _, m := range it.Methods.List {
				for _, name := range m.Names {
					methods++
					if doc := m.Doc.Text(); !strings.HasPrefix(doc, name.Name+" ") {
						t.Errorf("%s.%s has no comment starting with its name", ts.Name.Name, name.Name)
					}
				}
			}
			return false
		})
	}
	if methods < 70 {
		t.Fatalf("found %d service methods; the parse missed some", methods)
	}
}

// TestProgram_PublicURLs: every address given out is on the verify page's
// scheme and host, whatever path VerifyURL has.
func TestProgram_PublicURLs(t *testing.T) {
	p := &amparo.Program{VerifyURL: "https://amparo.example.org/v"}
	if got := p.PhoneURL("tok"); got != "https://amparo.example.org/p/tok" {
		t.Errorf("PhoneURL = %q", got)
	}
	if got := p.InviteURL("tok"); got != "https://amparo.example.org/invite/tok" {
		t.Errorf("InviteURL = %q", got)
	}
	for _, bad := range []string{"", "amparo.example.org", "%zz"} {
		p.VerifyURL = bad
		if got := p.PhoneURL("tok"); got != "/p/tok" {
			t.Errorf("PhoneURL with VerifyURL %q = %q, want the path alone", bad, got)
		}
	}
}

// TestRoles_Named: the audit trail names every role an event can carry,
// the identities that are not sign-in roles among them, in English and
// Spanish.
func TestRoles_Named(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "es"} {
		msgs := map[string]bool{}
		for k := range cat.Messages(lang) {
			msgs[k] = true
		}
		for _, r := range append(slices.Clone(amparo.Roles), amparo.RolePublicIntake, amparo.RoleVisitor, amparo.RoleAccount) {
			if !msgs["role."+string(r)] {
				t.Errorf("%s: no role.%s", lang, r)
			}
		}
	}
}
