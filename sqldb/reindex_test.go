package sqldb_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// reopen opens dsn again as a new process would, logging to a buffer, and
// migrates it.
func reopen(t *testing.T, dsn string, master []byte) (*sqldb.DB, *bytes.Buffer) {
	t.Helper()
	k, err := envelope.New(master)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	db, err := sqldb.Open(dsn, k, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, &log
}

// oldApplicants stores applicants of a new organization, and returns it
// and their names.
func oldApplicants(t *testing.T, db *sqldb.DB) (*amparo.Organization, []string) {
	t.Helper()
	org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
	names := []string{"Rosa Hernández Muestra", "Óscar Ejemplo Prueba", "Grace Sample"}
	var applicants []*amparo.Applicant
	for i, name := range names {
		applicants = append(applicants, &amparo.Applicant{Key: "old-" + name, Facts: amparo.Facts{Personal: amparo.Personal{
			LegalName: name, PreferredName: []string{"Rosi", "", ""}[i], Language: "es", Situation: amparo.SituationOther}}})
	}
	if _, err := db.CreateApplicants(as(amparo.RoleIntake, org.ID), applicants); err != nil {
		t.Fatal(err)
	}
	return org, names
}

func findByName(t *testing.T, db *sqldb.DB, orgID, name string) []*amparo.Applicant {
	t.Helper()
	got, _, err := db.FindApplicants(as(amparo.RoleIntake, orgID), amparo.ApplicantFilter{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestNameTokens_Backfill: applicants stored before their name tokens
// existed (migration 00014) are found by name once Migrate runs again,
// which fills in their tokens from the sealed records, once, and logs how
// many without naming anyone.
func TestNameTokens_Backfill(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dsn, master := migratedDSN(t, dialect), envelope.GenerateMasterKey()
			db := storetest.MustOpenDSN(t, dsn, master)
			org, names := oldApplicants(t, db)
			raw := sqldb.RawDB(db)
			var before int
			raw.QueryRow("SELECT COUNT(*) FROM applicant_name_tokens").Scan(&before)
			// As a database migrated to 00014 looks: applicants, no tokens,
			// no version of them recorded.
			for _, q := range []string{"DELETE FROM applicant_name_tokens", "DELETE FROM meta WHERE key = 'name_tokens_version'"} {
				if _, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			if got := findByName(t, db, org.ID, "Rosa Hernández"); len(got) != 0 {
				t.Fatal("found without tokens")
			}

			db, log := reopen(t, dsn, master)
			for _, q := range []string{"Rosa Hernández", "rosi", "oscar ejemplo", "Grace Sample"} {
				if got := findByName(t, db, org.ID, q); len(got) != 1 {
					t.Errorf("%q: found %d after the backfill, want 1", q, len(got))
				}
			}
			var after int
			sqldb.RawDB(db).QueryRow("SELECT COUNT(*) FROM applicant_name_tokens").Scan(&after)
			if before == 0 || after != before {
				t.Fatalf("%d tokens before, %d after the backfill", before, after)
			}
			if !strings.Contains(log.String(), `msg="name search tokens rebuilt" people=3`) {
				t.Errorf("no log line with the count:\n%s", log)
			}
			for _, name := range names {
				for _, w := range strings.Fields(name) {
					if strings.Contains(log.String(), w) {
						t.Errorf("the log names %q:\n%s", w, log)
					}
				}
			}

			// Once: the next start finds nothing to do, and says nothing.
			_, log = reopen(t, dsn, master)
			if strings.Contains(log.String(), "name search tokens") {
				t.Errorf("a second start rebuilt again:\n%s", log)
			}
		})
	}
}

// TestNameTokens_Reindex: tokens of another version are made again, for
// clients and applicants, in full.
func TestNameTokens_Reindex(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dsn, master := migratedDSN(t, dialect), envelope.GenerateMasterKey()
			db := storetest.MustOpenDSN(t, dsn, master)
			org, _ := oldApplicants(t, db)
			member := as(amparo.RoleMember, org.ID)
			storetest.MustCreateClient(t, member, db, &amparo.Client{OrganizationID: org.ID, Personal: amparo.Personal{
				LegalName: "Fernando Pérez Noriega", Language: "es", Situation: amparo.SituationOther}})
			raw := sqldb.RawDB(db)
			counts := func(db *sqldb.DB) (c, a int) {
				sqldb.RawDB(db).QueryRow("SELECT COUNT(*) FROM client_name_tokens").Scan(&c)
				sqldb.RawDB(db).QueryRow("SELECT COUNT(*) FROM applicant_name_tokens").Scan(&a)
				return c, a
			}
			c0, a0 := counts(db)
			// Tokens of an older version: other bytes, and the version they had.
			for _, q := range []string{
				"DELETE FROM client_name_tokens WHERE client_id NOT IN (SELECT MIN(client_id) FROM client_name_tokens)",
				"DELETE FROM applicant_name_tokens WHERE applicant_id NOT IN (SELECT MIN(applicant_id) FROM applicant_name_tokens)",
				"UPDATE meta SET value = '0' WHERE key = 'name_tokens_version'",
			} {
				if _, err := raw.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := raw.Exec(sqldb.Rebind(db, "INSERT INTO client_name_tokens (token, client_id) SELECT ?, client_id FROM client_name_tokens LIMIT 1"), []byte("an old token")); err != nil {
				t.Fatal(err)
			}
			db, log := reopen(t, dsn, master)
			if c, a := counts(db); c != c0 || a != a0 {
				t.Fatalf("tokens: clients %d, applicants %d after the rebuild; want %d and %d", c, a, c0, a0)
			}
			if got, _, err := db.FindClients(member, amparo.ClientFilter{Name: "fernando noriega"}); err != nil || len(got) != 1 {
				t.Errorf("client found %d: %v", len(got), err)
			}
			if got := findByName(t, db, org.ID, "Grace"); len(got) != 1 {
				t.Errorf("applicant found %d", len(got))
			}
			if !strings.Contains(log.String(), "people=4") || !strings.Contains(log.String(), "all=true") {
				t.Errorf("log:\n%s", log)
			}
		})
	}
}
