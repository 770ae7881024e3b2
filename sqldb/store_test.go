package sqldb_test

import (
	"context"
	"io/fs"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

func TestMigrations_SameNamesInBothDialects(t *testing.T) {
	t.Parallel()
	list := func(dir string) []string {
		var names []string
		fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				names = append(names, p)
			}
			return nil
		})
		return names
	}
	s, p := list("migrations/sqlite"), list("migrations/postgres")
	if len(s) == 0 || !slices.Equal(s, p) {
		t.Fatalf("sqlite migrations %v, postgres migrations %v", s, p)
	}
}

func TestMigrate_ConcurrentAndIdempotent(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dsn := dsn(t, dialect)
			master := envelope.GenerateMasterKey()
			k, _ := envelope.New(master)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() {
					db, err := sqldb.Open(dsn, k, nil)
					if err != nil {
						errs[i] = err
						return
					}
					defer db.Close()
					errs[i] = db.Migrate(context.Background())
				})
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("process %d: %v", i, err)
				}
			}
			db := storetest.MustOpenDSN(t, dsn, master) // and once more, when all is applied
			if _, err := db.FindProgram(system); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestOrganizationService(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		o := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		t.Run("ErrDuplicateName", func(t *testing.T) {
			err := db.CreateOrganization(system, &amparo.Organization{Name: o.Name, Kind: amparo.OrgLawFirm, Languages: []string{"en"}})
			wantCode(t, err, amparo.ECONFLICT)
			if amparo.ErrorField(err) != "name" {
				t.Fatalf("field %q", amparo.ErrorField(err))
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			err := db.CreateOrganization(system, &amparo.Organization{Name: "X Ejemplo", Kind: "club", Languages: []string{"EN!"}})
			wantCode(t, err, amparo.EINVALID)
			if amparo.ErrorField(err) != "kind" {
				t.Fatalf("field %q", amparo.ErrorField(err))
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.FindOrganizationByID(system, "nope")
			wantCode(t, err, amparo.ENOTFOUND)
			wantCode(t, db.UpdateOrganization(system, &amparo.Organization{ID: "nope", Name: "Y Ejemplo", Kind: amparo.OrgLawFirm, Languages: []string{"en"}}), amparo.ENOTFOUND)
		})
		t.Run("ErrForbidden", func(t *testing.T) {
			wantCode(t, db.CreateOrganization(as(amparo.RoleOrgAdmin, o.ID), &amparo.Organization{Name: "Z Ejemplo", Kind: amparo.OrgLawFirm, Languages: []string{"en"}}), amparo.EFORBIDDEN)
			wantCode(t, db.UpdateOrganization(as(amparo.RoleOrgAdmin, "other"), o), amparo.EFORBIDDEN)
		})
		t.Run("Update", func(t *testing.T) {
			o.Capacity = 75
			if err := db.UpdateOrganization(as(amparo.RoleOrgAdmin, o.ID), o); err != nil {
				t.Fatal(err)
			}
			got, _ := db.FindOrganizationByID(system, o.ID)
			if got.Capacity != 75 || !slices.Equal(got.Languages, []string{"en", "es"}) {
				t.Fatalf("got %+v", got)
			}
		})
	})
}

func TestMemberService(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		o := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, o.ID, "900001")
		t.Run("ErrDuplicateBarNumber", func(t *testing.T) {
			d := *m
			d.ID = ""
			err := db.CreateMember(system, &d)
			wantCode(t, err, amparo.ECONFLICT)
			if amparo.ErrorField(err) != "bar_number" {
				t.Fatalf("field %q", amparo.ErrorField(err))
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			err := db.CreateMember(system, &amparo.Member{OrganizationID: o.ID, Name: "Rep Ejemplo", Kind: amparo.MemberAccreditedRep, Languages: []string{"es"}, PublicPhone: "+1 213 555 0101"})
			wantCode(t, err, amparo.EINVALID)
			if amparo.ErrorField(err) != "recognized_org" {
				t.Fatalf("field %q", amparo.ErrorField(err))
			}
		})
		t.Run("ErrUnknownOrganization", func(t *testing.T) {
			err := db.CreateMember(system, &amparo.Member{OrganizationID: "nope", Name: "Lic. Otra Ejemplo", Kind: amparo.MemberAttorney,
				BarJurisdiction: "California", BarNumber: "900009", Languages: []string{"es"}, PublicPhone: "+1 213 555 0101"})
			wantCode(t, err, amparo.EINVALID)
		})
		t.Run("Suspend", func(t *testing.T) {
			m.Status = amparo.MemberSuspended
			if err := db.UpdateMember(as(amparo.RoleOrgAdmin, o.ID), m); err != nil {
				t.Fatal(err)
			}
			ms, n, _ := db.FindMembers(system, amparo.MemberFilter{OrganizationID: o.ID, Status: amparo.MemberActive})
			if n != 0 || len(ms) != 0 {
				t.Fatalf("%d active members after suspension", n)
			}
			c := storetest.MustCreateClient(t, as(amparo.RoleIntake, o.ID), db, &amparo.Client{})
			err := db.CreateLetter(system, &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: o.ID})
			wantCode(t, err, amparo.EINVALID)
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := db.FindMemberByID(system, "nope")
			wantCode(t, err, amparo.ENOTFOUND)
		})
	})
}

func TestProgramService(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		p, err := db.FindProgram(system)
		if err != nil {
			t.Fatal(err)
		}
		p.Name, p.VerifyURL = "Programa Ejemplo", "https://amparo.example.org/v"
		if err := db.UpdateProgram(as(amparo.RoleProgramAdmin, ""), p); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindProgram(system); got.Name != "Programa Ejemplo" || got.LetterValidityDays != 365 {
			t.Fatalf("got %+v", got)
		}
		p.VerifyURL = "ftp://x"
		err = db.UpdateProgram(system, p)
		wantCode(t, err, amparo.EINVALID)
		if amparo.ErrorField(err) != "verify_url" {
			t.Fatalf("field %q", amparo.ErrorField(err))
		}
		wantCode(t, db.UpdateProgram(as(amparo.RoleOrgAdmin, "x"), &amparo.Program{Name: "N", Jurisdiction: "J", Languages: []string{"en"}, LetterValidityDays: 30, VerifyURL: "https://a.example/v"}), amparo.EFORBIDDEN)
	})
}

func TestAuditEvents_AppendOnly(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		o := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		c := storetest.MustCreateClient(t, as(amparo.RoleIntake, o.ID), db, &amparo.Client{})
		if _, err := db.FindClientByID(as(amparo.RoleMember, o.ID), c.ID); err != nil {
			t.Fatal(err)
		}
		events, _, err := db.FindAuditEvents(as(amparo.RoleAuditor, ""), amparo.AuditFilter{Action: "client.view"})
		if err != nil || len(events) != 1 || events[0].RecordID != c.ID || events[0].ActorRole != amparo.RoleMember {
			t.Fatalf("view events %+v, %v", events, err)
		}
		raw := sqldb.RawDB(db)
		if _, err := raw.Exec("UPDATE audit_events SET action = 'x'"); err == nil {
			t.Error("an audit event was updated")
		}
		if _, err := raw.Exec("DELETE FROM audit_events"); err == nil {
			t.Error("audit events were deleted")
		}
		_, _, err = db.FindAuditEvents(as(amparo.RoleMember, o.ID), amparo.AuditFilter{})
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

// TestFindByID_EmptyIsNotFound: an empty ID finds nothing (an empty filter
// field matches every record, which a lookup by ID must never return).
func TestFindByID_EmptyIsNotFound(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		ctx := storetest.SignerFor(t, db, m)
		c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{OrganizationID: org.ID})
		if err := db.CreateLetter(ctx, &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateApplicants(ctx, []*amparo.Applicant{{Key: "k", Facts: amparo.Facts{Personal: amparo.Personal{LegalName: "Ana Ejemplo Prueba", Language: "es"}}}}); err != nil {
			t.Fatal(err)
		}
		for name, find := range map[string]func() error{
			"client":       func() error { _, err := db.FindClientByID(ctx, ""); return err },
			"letter":       func() error { _, err := db.FindLetterByID(ctx, ""); return err },
			"applicant":    func() error { _, err := db.FindApplicantByID(ctx, ""); return err },
			"member":       func() error { _, err := db.FindMemberByID(ctx, ""); return err },
			"organization": func() error { _, err := db.FindOrganizationByID(ctx, ""); return err },
		} {
			if amparo.ErrorCode(find()) != amparo.ENOTFOUND {
				t.Errorf("an empty %s ID found a record", name)
			}
		}
	})
}
