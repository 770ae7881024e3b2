package sqldb_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// TestApplicantService_FindApplicantsSorted pages through applicants in
// each order of amparo.ApplicantSorts, both ways: every page is in order,
// no applicant is on two pages, none is left out, and an unknown order is
// refused.
func TestApplicantService_FindApplicantsSorted(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleIntake, org.ID)
		start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		const n = 23
		for i := range n {
			// Two received in the same instant each time: ties broken by ID.
			at := start.Add(time.Duration(i/2) * time.Hour)
			db.Now = func() time.Time { return at }
			a := &amparo.Applicant{Key: fmt.Sprintf("k%d", i), Facts: amparo.Facts{Personal: amparo.Personal{LegalName: fmt.Sprintf("Ana Ejemplo%c", 'a'+i), Language: "es"}}}
			if _, err := db.CreateApplicants(ctx, []*amparo.Applicant{a}); err != nil {
				t.Fatal(err)
			}
			if i%3 == 0 {
				// Updated later, in reverse order of receipt.
				db.Now = func() time.Time { return start.Add(time.Duration(100-i) * time.Hour) }
				status := amparo.ApplicantStatuses[i%len(amparo.ApplicantStatuses)]
				if status == amparo.ApplicantMatched {
					status = amparo.ApplicantClosed
				}
				if err := db.SetApplicantStatus(ctx, a.ID, status, "", "revisado"); err != nil {
					t.Fatal(err)
				}
			}
		}
		db.Now = time.Now
		rank := map[amparo.ApplicantStatus]int{}
		for i, s := range amparo.ApplicantStatuses {
			rank[s] = i
		}
		less := map[string]func(a, b *amparo.Applicant) int{
			"received": func(a, b *amparo.Applicant) int { return a.CreatedAt.Compare(b.CreatedAt) },
			"updated":  func(a, b *amparo.Applicant) int { return a.UpdatedAt.Compare(b.UpdatedAt) },
			"status": func(a, b *amparo.Applicant) int {
				if c := rank[a.Status] - rank[b.Status]; c != 0 {
					return c
				}
				return a.CreatedAt.Compare(b.CreatedAt)
			},
		}
		for _, key := range amparo.ApplicantSorts {
			for _, sort := range []string{key, "-" + key} {
				seen := map[string]bool{}
				var prev *amparo.Applicant
				for offset := 0; offset < n; offset += 5 {
					page, total, err := db.FindApplicants(ctx, amparo.ApplicantFilter{Sort: sort, Offset: offset, Limit: 5})
					if err != nil || total != n {
						t.Fatalf("%s: total %d: %v", sort, total, err)
					}
					if want := min(5, n-offset); len(page) != want {
						t.Fatalf("%s from %d: %d applicants, want %d", sort, offset, len(page), want)
					}
					for _, a := range page {
						if seen[a.ID] {
							t.Fatalf("%s: %s on two pages", sort, a.LegalName)
						}
						seen[a.ID] = true
						if prev != nil {
							c := less[key](prev, a)
							if c == 0 && prev.ID > a.ID || c == 0 && prev.ID == a.ID {
								c = 1
							} else if c == 0 {
								c = -1
							}
							if sort[0] == '-' {
								c = -c
							}
							if c > 0 {
								t.Fatalf("%s: %s (%v %s) before %s (%v %s)", sort, prev.LegalName, prev.CreatedAt, prev.Status, a.LegalName, a.CreatedAt, a.Status)
							}
						}
						prev = a
					}
				}
				if len(seen) != n {
					t.Fatalf("%s: %d applicants seen, want %d", sort, len(seen), n)
				}
			}
		}
		// A status, a name and a reference narrow the list in any order.
		closed, total, err := db.FindApplicants(ctx, amparo.ApplicantFilter{Status: amparo.ApplicantClosed, Sort: "-received"})
		if err != nil || total != len(closed) || total == 0 {
			t.Fatalf("closed: %d of %d: %v", len(closed), total, err)
		}
		found, total, err := db.FindApplicants(ctx, amparo.ApplicantFilter{Name: "ana ejemplob", Sort: "-updated"})
		if err != nil || total != 1 || found[0].LegalName != "Ana Ejemplob" {
			t.Fatalf("by name: %d: %v", total, err)
		}
		byRef, total, err := db.FindApplicants(ctx, amparo.ApplicantFilter{Reference: found[0].Reference, Sort: "status"})
		if err != nil || total != 1 || byRef[0].ID != found[0].ID {
			t.Fatalf("by reference: %d: %v", total, err)
		}
		for _, bad := range []string{"name", "-", "received; DROP TABLE applicants", "--received"} {
			_, _, err := db.FindApplicants(ctx, amparo.ApplicantFilter{Sort: bad})
			wantCode(t, err, amparo.EINVALID)
		}
	})
}
