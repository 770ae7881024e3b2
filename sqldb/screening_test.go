package sqldb_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/screening"
	"github.com/amparo-project/amparo/sqldb"
)

// Fictional contractors: no real company is named in these tests.
func testEntity(id, name string, ids ...amparo.RegistryIdentifier) *amparo.RegistryEntity {
	return &amparo.RegistryEntity{ID: id, Kind: amparo.RegistryCompany,
		Names:       []amparo.RegistryName{{Kind: amparo.RegistryNamePrimary, Name: name}},
		Identifiers: ids,
		Source:      amparo.RegistrySource{Document: "Example County Gazette, test edition", Retrieved: amparo.MustDate("2025-01-02")}}
}

func testInvolvement(id, entity string, role amparo.RegistryRole, date string) *amparo.RegistryInvolvement {
	return &amparo.RegistryInvolvement{ID: id, EntityID: entity, Agency: "USACE", Project: "Example barrier segment", Role: role,
		AmountCents: 123_456_00, AwardDate: amparo.MustDate(date), Status: amparo.AwardAwarded,
		Source: amparo.RegistrySource{URL: "https://example.org/release", Retrieved: amparo.MustDate("2025-01-02")}}
}

func TestRegistryService(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		admin := as(amparo.RoleProgramAdmin, "")
		first := &amparo.RegistryChange{Reason: "first compilation",
			PutEntities: []*amparo.RegistryEntity{
				testEntity("example-wall-builders", "Example Wall Builders LLC", amparo.RegistryIdentifier{Kind: amparo.RegistryUEI, Value: "abc123def456"}),
				testEntity("example-holdings", "Example Holdings Inc."),
			},
			PutRelations: []*amparo.RegistryRelation{{ID: "r1", Kind: amparo.RegistrySubsidiaryOf, From: "example-wall-builders", To: "example-holdings",
				Source: amparo.RegistrySource{Document: "annual report", Retrieved: amparo.MustDate("2025-01-02")}}},
			PutInvolvements: []*amparo.RegistryInvolvement{testInvolvement("i1", "example-wall-builders", amparo.RegistryPrime, "2019-05-01")},
		}

		t.Run("ErrForbidden", func(t *testing.T) {
			_, err := db.ApplyRegistryChange(as(amparo.RoleOrgAdmin, "x"), first)
			wantCode(t, err, amparo.EFORBIDDEN)
		})
		if r, err := db.RegistryAt(admin, 0); err != nil || r.Version.Number != 0 || len(r.Entities) != 0 {
			t.Fatalf("empty registry: %+v %v", r, err)
		}

		v1, err := db.ApplyRegistryChange(admin, first)
		if err != nil || v1.Number != 1 || v1.Entities != 2 || v1.Relations != 1 || v1.Involvements != 1 || len(v1.Hash) != 64 {
			t.Fatalf("v1: %+v %v", v1, err)
		}
		if first.PutEntities[0].Identifiers[0].Value != "abc123def456" {
			t.Fatal("the caller's record was changed")
		}
		r1, err := db.RegistryAt(admin, 0)
		if err != nil || r1.Version.Number != 1 || r1.Entities[0].ID != "example-holdings" || r1.Entities[1].Identifiers[0].Value != "ABC123DEF456" {
			t.Fatalf("registry v1: %+v %v", r1, err)
		}

		t.Run("ErrNoChange", func(t *testing.T) {
			_, err := db.ApplyRegistryChange(admin, first)
			wantCode(t, err, amparo.EINVALID)
		})

		// A failed change leaves the version in force as it was.
		for name, bad := range map[string]*amparo.RegistryChange{
			"dangling relation": {Reason: "x", PutRelations: []*amparo.RegistryRelation{{ID: "r2", Kind: amparo.RegistryAffiliateOf,
				From: "example-wall-builders", To: "nowhere", Source: amparo.RegistrySource{Document: "d", Retrieved: amparo.MustDate("2025-01-02")}}}},
			"dangling involvement": {Reason: "x", PutInvolvements: []*amparo.RegistryInvolvement{testInvolvement("i2", "nowhere", amparo.RegistryPrime, "2019-05-01")}},
			"bad UEI":              {Reason: "x", PutEntities: []*amparo.RegistryEntity{testEntity("e3", "Example Three", amparo.RegistryIdentifier{Kind: amparo.RegistryUEI, Value: "SHORT"})}},
			"bad EIN":              {Reason: "x", PutEntities: []*amparo.RegistryEntity{testEntity("e3", "Example Three", amparo.RegistryIdentifier{Kind: amparo.RegistryEIN, Value: "12-34"})}},
			"no source":            {Reason: "x", PutEntities: []*amparo.RegistryEntity{{ID: "e4", Kind: amparo.RegistryCompany, Names: []amparo.RegistryName{{Kind: amparo.RegistryNamePrimary, Name: "X"}}}}},
			"relation's end deleted": {Reason: "x", Replace: true, PutEntities: []*amparo.RegistryEntity{first.PutEntities[0]},
				PutRelations: first.PutRelations},
			"no reason": {PutEntities: []*amparo.RegistryEntity{testEntity("e5", "Example Five")}},
		} {
			_, err := db.ApplyRegistryChange(admin, bad)
			wantCode(t, err, amparo.EINVALID)
			if f := amparo.ErrorField(err); name != "no reason" && !strings.Contains(f, " ") {
				t.Errorf("%s: the error does not name the record: %q (%v)", name, f, err)
			}
			if _, ok := amparo.ErrorMsg(err); !ok {
				t.Errorf("%s: no catalog key: %v", name, err)
			}
		}
		if vs, _ := db.RegistryVersions(admin); len(vs) != 1 {
			t.Fatalf("a refused change was stored: %d versions", len(vs))
		}

		renamed := testEntity("example-wall-builders", "Example Wall Builders LLC", amparo.RegistryIdentifier{Kind: amparo.RegistryUEI, Value: "ABC123DEF456"})
		renamed.Names = append(renamed.Names, amparo.RegistryName{Kind: amparo.RegistryNamePrevious, Name: "Example Fence Co."})
		v2, err := db.ApplyRegistryChange(admin, &amparo.RegistryChange{Reason: "previous name found; contract rescinded",
			PutEntities: []*amparo.RegistryEntity{renamed}, DeleteInvolvements: []string{"i1"}})
		if err != nil || v2.Number != 2 || v2.Involvements != 0 || v2.Hash == v1.Hash {
			t.Fatalf("v2: %+v %v", v2, err)
		}

		// Version 1 is still readable as it was.
		old, err := db.FindRegistryEntity(admin, 1, "example-wall-builders")
		if err != nil || len(old.Entities[0].Names) != 1 || len(old.Involvements) != 1 || len(old.Relations) != 1 || old.Version.Hash != v1.Hash {
			t.Fatalf("entity at v1: %+v %v", old, err)
		}
		cur, err := db.FindRegistryEntity(admin, 0, "example-wall-builders")
		if err != nil || len(cur.Entities[0].Names) != 2 || len(cur.Involvements) != 0 || cur.Version.Number != 2 {
			t.Fatalf("entity in force: %+v %v", cur, err)
		}
		_, err = db.RegistryAt(admin, 9)
		wantCode(t, err, amparo.ENOTFOUND)
		_, err = db.FindRegistryEntity(admin, 0, "nowhere")
		wantCode(t, err, amparo.ENOTFOUND)

		// Deleting an entity deletes its relations.
		v3, err := db.ApplyRegistryChange(admin, &amparo.RegistryChange{Reason: "dissolved", DeleteEntities: []string{"example-holdings"}})
		if err != nil || v3.Entities != 1 || v3.Relations != 0 {
			t.Fatalf("v3: %+v %v", v3, err)
		}
		vs, err := db.RegistryVersions(admin)
		if err != nil || len(vs) != 3 || vs[0].Number != 3 || vs[2].Reason != "first compilation" || vs[0].Author == "" {
			t.Fatalf("versions: %+v %v", vs, err)
		}
		// The same content hashes the same: version 1 restored by Replace.
		back, err := db.ApplyRegistryChange(admin, &amparo.RegistryChange{Reason: "restore v1", Replace: true,
			PutEntities: first.PutEntities, PutRelations: first.PutRelations, PutInvolvements: first.PutInvolvements})
		if err != nil || back.Hash != v1.Hash {
			t.Fatalf("restored: %+v %v, want hash %s", back, err, v1.Hash)
		}
		events, _, err := db.FindAuditEvents(admin, amparo.AuditFilter{Action: amparo.AuditRegistryChange})
		if err != nil || len(events) != 4 || events[0].RecordID != "1" || events[0].RecordType != amparo.RecordRegistry {
			t.Fatalf("audit: %+v %v", events, err)
		}
	})
}

func TestScreeningPolicyService(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		admin := as(amparo.RoleProgramAdmin, "")
		p, err := db.CurrentScreeningPolicy(admin)
		if err != nil || p.Version != 0 || !strings.Contains(p.Text, "policy la-disclosure") {
			t.Fatalf("shipped policy: %+v %v", p, err)
		}
		// A policy that does not parse is refused with its line and
		// reason, and the one in force stays.
		bad := strings.Replace(p.Text, "rule disclose", "rule disclosure", 1)
		_, err = db.SetScreeningPolicy(admin, bad, "typo")
		wantCode(t, err, amparo.EINVALID)
		if !strings.Contains(err.Error(), "line 12, column 6") || !strings.Contains(err.Error(), `"disclosure" is not a rule`) {
			t.Fatalf("the error does not say where and why: %v", err)
		}
		if m, ok := amparo.ErrorMsg(err); !ok || m.Key != "screen.policy.err.list" {
			t.Fatalf("no catalog key: %v", err)
		}
		_, err = db.SetScreeningPolicy(admin, p.Text, " ")
		wantCode(t, err, amparo.EINVALID)
		_, err = db.SetScreeningPolicy(as(amparo.RoleOrgAdmin, "x"), p.Text, "why")
		wantCode(t, err, amparo.EFORBIDDEN)
		if cur, _ := db.CurrentScreeningPolicy(admin); cur.Version != 0 || cur.Text != p.Text {
			t.Fatalf("a refused policy was stored: %+v", cur)
		}

		v, err := db.SetScreeningPolicy(admin, p.Text+"\n# reviewed\n", "yearly review")
		if err != nil || v.Version < 1 {
			t.Fatalf("set: %+v %v", v, err)
		}
		_, err = db.SetScreeningPolicy(admin, "policy x \"X\"\n", "broken")
		wantCode(t, err, amparo.EINVALID)
		if cur, _ := db.CurrentScreeningPolicy(admin); cur.Version != v.Version || cur.Reason != "yearly review" {
			t.Fatalf("current %+v", cur)
		}
		if h, _ := db.ScreeningPolicyHistory(admin); len(h) != 1 || h[0].Author == "" {
			t.Fatalf("history %+v", h)
		}
		events, _, err := db.FindAuditEvents(admin, amparo.AuditFilter{Action: amparo.AuditScreenPolicyChange})
		if err != nil || len(events) != 1 || events[0].RecordID != strconv.Itoa(v.Version) {
			t.Fatalf("audit: %+v %v", events, err)
		}
	})
}

// TestRegistryService_StarterRegistry: the shipped registry applies as one
// version on both databases, and reads back whole.
func TestRegistryService_StarterRegistry(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		admin := as(amparo.RoleProgramAdmin, "")
		c := screening.StarterRegistry()
		v, err := db.ApplyRegistryChange(admin, c)
		if err != nil || v.Entities != len(c.PutEntities) || v.Involvements != len(c.PutInvolvements) {
			t.Fatalf("starter: %+v %v", v, err)
		}
		r, err := db.FindRegistryEntity(admin, 0, "bfbc")
		if err != nil || len(r.Relations) != 1 || len(r.Involvements) != 1 || r.Involvements[0].AmountCents != 569_000_000_00 {
			t.Fatalf("bfbc: %+v %v", r, err)
		}
	})
}
