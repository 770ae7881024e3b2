package sqldb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// stamp is a time as both databases take it in a raw statement.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// TestDashboardService: known numbers of letters and applicants in two
// organizations, counted for each role that has a dashboard of numbers;
// the other roles are refused.
func TestDashboardService(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC) // a Thursday
		db.Now = func() time.Time { return now }
		orgA := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		orgB := storetest.MustCreateOrganization(t, db, "Abogados Ficticios")
		m1 := storetest.MustCreateMember(t, db, orgA.ID, "900001")
		m2 := storetest.MustCreateMember(t, db, orgA.ID, "900002")
		mB := storetest.MustCreateMember(t, db, orgB.ID, "900003")
		member1 := storetest.SignerFor(t, db, m1)

		// Letters: status, submitted, days left of validity.
		type letter struct {
			org    *amparo.Organization
			m      *amparo.Member
			status amparo.LetterStatus
			sent   bool
			days   int
		}
		for i, l := range []letter{
			{orgA, m1, amparo.LetterDraft, false, 0},
			{orgA, m1, amparo.LetterDraft, true, 0}, // awaiting m1
			{orgA, m2, amparo.LetterDraft, true, 0},
			{orgA, m1, amparo.LetterActive, false, 10}, // expiring
			{orgA, m2, amparo.LetterActive, false, 200},
			{orgA, m1, amparo.LetterActive, false, 40},
			{orgA, m1, amparo.LetterRevoked, false, 100},
			{orgB, mB, amparo.LetterActive, false, 5},
		} {
			staff := as(amparo.RoleIntake, l.org.ID)
			c := storetest.MustCreateClient(t, staff, db, &amparo.Client{OrganizationID: l.org.ID})
			lt := &amparo.Letter{ClientID: c.ID, MemberID: l.m.ID, OrganizationID: l.org.ID}
			if err := db.CreateLetter(staff, lt); err != nil {
				t.Fatalf("letter %d: %v", i, err)
			}
			if l.sent {
				mustExec(t, db, "UPDATE letters SET submitted_at = ? WHERE id = ?", stamp(now), lt.ID)
			}
			if l.status != amparo.LetterDraft {
				mustExec(t, db, "UPDATE letters SET status = ?, issued_at = ?, valid_until = ? WHERE id = ?",
					string(l.status), stamp(now.AddDate(0, 0, -1)), stamp(now.AddDate(0, 0, l.days)), lt.ID)
			}
		}
		// Applicants: status and when they came.
		thisWeek := time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC)
		type applicant struct {
			org    *amparo.Organization
			status amparo.ApplicantStatus
			at     time.Time
		}
		r := rand.New(rand.NewPCG(3, 3))
		for i, a := range []applicant{
			{orgA, amparo.ApplicantNew, now},
			{orgA, amparo.ApplicantNew, thisWeek},
			{orgA, amparo.ApplicantNew, thisWeek.Add(-31 * time.Minute)}, // Sunday: last week
			{orgA, amparo.ApplicantEligible, now.AddDate(0, 0, -14)},
			{orgA, amparo.ApplicantEligible, now.AddDate(0, 0, -7*12)}, // before the 12 weeks
			{orgA, amparo.ApplicantMatched, now},
			{orgA, amparo.ApplicantServed, now},
			{orgB, amparo.ApplicantNew, now},
			{orgB, amparo.ApplicantMatched, now.AddDate(0, 0, -7)},
		} {
			ap := &amparo.Applicant{OrganizationID: a.org.ID, Key: fmt.Sprintf("dash-%d", i),
				Facts: amparo.Facts{Personal: demo.Client(r, a.org.ID, "es", now).Personal}}
			if _, err := db.CreateApplicants(as(amparo.RoleIntake, a.org.ID), []*amparo.Applicant{ap}); err != nil {
				t.Fatal(err)
			}
			mustExec(t, db, "UPDATE applicants SET status = ?, created_at = ?, updated_at = ? WHERE id = ?",
				string(a.status), stamp(a.at), stamp(a.at), ap.ID)
		}

		t.Run("WorkCounts", func(t *testing.T) {
			for _, c := range []struct {
				name string
				ctx  context.Context
				want amparo.WorkCounts
			}{
				{"intake", as(amparo.RoleIntake, orgA.ID),
					amparo.WorkCounts{NewIntakes: 3, Waiting: 5, Matched: 1, Drafts: 3, Active: 3, Expiring: 1}},
				{"org admin", as(amparo.RoleOrgAdmin, orgA.ID),
					amparo.WorkCounts{NewIntakes: 3, Waiting: 5, Matched: 1, Drafts: 3, Active: 3, Expiring: 1}},
				// A member counts the letters naming them, and the
				// organization's intakes.
				{"member", member1,
					amparo.WorkCounts{NewIntakes: 3, Waiting: 5, Matched: 1, Awaiting: 1, Drafts: 2, Active: 2, Expiring: 1}},
				{"other organization", as(amparo.RoleIntake, orgB.ID),
					amparo.WorkCounts{NewIntakes: 1, Waiting: 1, Matched: 1, Active: 1, Expiring: 1}},
			} {
				got, err := db.WorkCounts(c.ctx, now)
				if err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				if *got != c.want {
					t.Errorf("%s: %+v, want %+v", c.name, *got, c.want)
				}
			}
			for _, role := range []amparo.Role{amparo.RoleProgramAdmin, amparo.RoleAuditor, amparo.RoleFundOfficer} {
				_, err := db.WorkCounts(as(role, ""), now)
				wantCode(t, err, amparo.EFORBIDDEN)
			}
		})
		t.Run("ProgramCounts", func(t *testing.T) {
			got, err := db.ProgramCounts(as(amparo.RoleProgramAdmin, ""), now, 12)
			if err != nil {
				t.Fatal(err)
			}
			if got.Capacity != 500 || got.Active != 4 || got.Matched != 2 || got.Used() != 6 {
				t.Errorf("capacity %d, active %d, matched %d", got.Capacity, got.Active, got.Matched)
			}
			want := []amparo.OrganizationCount{
				{OrganizationID: orgB.ID, Name: "Abogados Ficticios", Active: 1, Matched: 1, Waiting: 1},
				{OrganizationID: orgA.ID, Name: "Centro Legal Ejemplo", Active: 3, Matched: 1, Waiting: 5},
			}
			if !reflect.DeepEqual(got.Organizations, want) {
				t.Errorf("organizations %+v, want %+v", got.Organizations, want)
			}
			if len(got.Weeks) != 12 || got.Weeks[11].Start.Format(time.DateOnly) != "2026-11-23" || got.Weeks[0].Start.Format(time.DateOnly) != "2026-09-07" {
				t.Fatalf("weeks %+v", got.Weeks)
			}
			intakes := make([]int, 12)
			for i, w := range got.Weeks {
				intakes[i] = w.Intakes
			}
			// This week: 3 in A (now, Monday 00:30, matched, served: 4)
			// and 1 in B; last week: Sunday's in A, and B's matched; two
			// weeks ago: A's eligible. The one 12 weeks ago is before.
			if want := []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 5}; !reflect.DeepEqual(intakes, want) {
				t.Errorf("intakes by week %v, want %v", intakes, want)
			}
			for _, role := range []amparo.Role{amparo.RoleOrgAdmin, amparo.RoleIntake, amparo.RoleAuditor, amparo.RoleFundOfficer} {
				_, err := db.ProgramCounts(as(role, orgA.ID), now, 12)
				wantCode(t, err, amparo.EFORBIDDEN)
			}
			_, err = db.ProgramCounts(as(amparo.RoleProgramAdmin, ""), now, 0)
			wantCode(t, err, amparo.EINVALID)
		})
		t.Run("ProgramCounts_InTheProgramsZone", func(t *testing.T) {
			p, err := db.FindProgram(system)
			if err != nil {
				t.Fatal(err)
			}
			p.TimeZone = "America/Los_Angeles"
			if err := db.UpdateProgram(system, p); err != nil {
				t.Fatal(err)
			}
			defer func() {
				p.TimeZone = "UTC"
				db.UpdateProgram(system, p)
			}()
			got, err := db.ProgramCounts(as(amparo.RoleProgramAdmin, ""), now, 2)
			if err != nil {
				t.Fatal(err)
			}
			// Monday 00:30 UTC is Sunday afternoon in Los Angeles: last week.
			if got.Weeks[1].Start.Format(time.DateOnly) != "2026-11-23" || got.Weeks[1].Intakes != 4 || got.Weeks[0].Intakes != 3 {
				t.Errorf("weeks in Los Angeles %+v", got.Weeks)
			}
		})
		t.Run("WaitingChanged", func(t *testing.T) {
			last, err := db.WaitingChanged(as(amparo.RoleProgramAdmin, ""))
			if err != nil {
				t.Fatal(err)
			}
			if !last.Equal(now) {
				t.Errorf("last change %v, want %v", last, now)
			}
			// A change to someone out of line (the served) is not a
			// change to the line.
			mustExec(t, db, "UPDATE applicants SET updated_at = ? WHERE status = ?", stamp(now.Add(time.Hour)), string(amparo.ApplicantServed))
			if last, _ := db.WaitingChanged(as(amparo.RoleProgramAdmin, "")); !last.Equal(now) {
				t.Errorf("after a change out of line: %v", last)
			}
			mustExec(t, db, "UPDATE applicants SET updated_at = ? WHERE status = ?", stamp(now.Add(2*time.Hour)), string(amparo.ApplicantEligible))
			if last, _ := db.WaitingChanged(as(amparo.RoleProgramAdmin, "")); !last.Equal(now.Add(2 * time.Hour)) {
				t.Errorf("after a change in line: %v", last)
			}
			_, err = db.WaitingChanged(as(amparo.RoleOrgAdmin, orgA.ID))
			wantCode(t, err, amparo.EFORBIDDEN)
		})
	})
}
