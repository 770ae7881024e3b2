package sqldb_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/internal/testenv"
	"github.com/amparo-project/amparo/names"
	"github.com/amparo-project/amparo/names/namestest"
	"github.com/amparo-project/amparo/sqldb"
)

func TestConflictCheck(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleMember, org.ID)
		c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: "Fernando Pérez Noriega", BirthDate: amparo.MustDate("1980-04-02"),
			Language: "es", Situation: amparo.SituationOther}})
		if err := db.CreateParty(ctx, &amparo.Party{Name: "Yolanda Jiménez Ejemplo", Note: "parte contraria"}); err != nil {
			t.Fatal(err)
		}
		storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: "Rosa Hernández Muestra", Language: "es", Situation: amparo.SituationOther}})

		for _, tt := range []struct {
			name, birth string
			want        string // record type of the best candidate, "" for none
		}{
			{"PEREZ NORIEGA, Fernando", "1980-04-02", "client"},
			{"Llolanda Ximénez", "", "party"},
			{"Fernando Perez", "1975-09-30", ""}, // another person: another date of birth
			{"Rosa Fernández Muestra", "", ""},   // Hernández is not Fernández
		} {
			t.Run(tt.name, func(t *testing.T) {
				var birth amparo.Date
				if tt.birth != "" {
					birth = amparo.MustDate(tt.birth)
				}
				got, err := db.ConflictCheck(ctx, tt.name, birth, "")
				if err != nil {
					t.Fatal(err)
				}
				if tt.want == "" {
					if len(got) != 0 {
						t.Fatalf("found %+v", got[0])
					}
					return
				}
				if len(got) == 0 || got[0].RecordType != tt.want || len(got[0].Reasons) == 0 {
					t.Fatalf("candidates %+v", got)
				}
			})
		}
		// Another organization's check never sees these people.
		if got, _ := db.ConflictCheck(as(amparo.RoleMember, "other"), "Fernando Pérez Noriega", amparo.Date{}, ""); len(got) != 0 {
			t.Fatal("another organization found this organization's client")
		}
		// An erased client is gone from the check too, with all its keys.
		raw := sqldb.RawDB(db)
		var nameID, keys int
		if err := raw.QueryRow(sqldb.Rebind(db, "SELECT id, (SELECT COUNT(*) FROM name_keys WHERE name_id = conflict_names.id) FROM conflict_names WHERE record_id = ?"), c.ID).Scan(&nameID, &keys); err != nil || keys < 10 {
			t.Fatalf("the client has %d keys: %v", keys, err)
		}
		if err := db.DeleteClient(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.ConflictCheck(ctx, "Fernando Pérez Noriega", amparo.MustDate("1980-04-02"), ""); len(got) != 0 {
			t.Fatal("the erased client is still found")
		}
		raw.QueryRow(sqldb.Rebind(db, "SELECT (SELECT COUNT(*) FROM name_keys WHERE name_id = ?) + (SELECT COUNT(*) FROM conflict_names WHERE record_id = ?)"), nameID, c.ID).Scan(&keys)
		if keys != 0 {
			t.Fatalf("%d name keys of the erased client remain", keys)
		}
	})
}

// TestConflictCheck_Reindex: when the keys were made by another version of
// package names, Migrate files every client, applicant and party again.
func TestConflictCheck_Reindex(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleMember, org.ID)
		storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: "Fernando Pérez Noriega", Language: "es", Situation: amparo.SituationOther}})
		if err := db.CreateParty(ctx, &amparo.Party{Name: "Yolanda Jiménez Ejemplo"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateApplicants(as(amparo.RoleIntake, org.ID), []*amparo.Applicant{{Key: "1", Facts: amparo.Facts{Personal: amparo.Personal{
			LegalName: "Rosa Hernández Muestra", Language: "es", Situation: amparo.SituationOther}}}}); err != nil {
			t.Fatal(err)
		}
		raw := sqldb.RawDB(db)
		var before int
		raw.QueryRow("SELECT COUNT(*) FROM name_keys").Scan(&before)
		// Keys of an older version: other numbers, and the version they had.
		for _, q := range []string{"UPDATE name_keys SET key = key + 1", "UPDATE meta SET value = '1' WHERE key = 'conflict_keys_version'"} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := db.ConflictCheck(ctx, "Fernando Pérez Noriega", amparo.Date{}, ""); len(got) != 0 {
			t.Fatal("keys of another version still meet")
		}
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Fernando Pérez Noriega", "Llolanda Ximénez", "Rosa Hernández"} {
			if got, err := db.ConflictCheck(ctx, name, amparo.Date{}, ""); err != nil || len(got) != 1 {
				t.Errorf("%s: found %d after reindexing: %v", name, len(got), err)
			}
		}
		var after int
		raw.QueryRow("SELECT COUNT(*) FROM name_keys").Scan(&after)
		if after != before {
			t.Fatalf("%d keys before, %d after reindexing", before, after)
		}
	})
}

// BenchmarkConflictCheck checks a name against 200,000 people of one
// organization, drawn as unevenly as real names (many share a name), through
// the store's keyed tokens ("indexed"), and by decrypting and deciding on
// everyone with the same scorer ("scan"). The queries are people stored,
// written again with typos, initials, another order or a surname missing.
// scan reports x-indexed: how many times slower it is, in the same run.
func BenchmarkConflictCheck(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) { benchmarkConflictCheck(b, dialect) })
	}
}

func benchmarkConflictCheck(b *testing.B, dialect string) {
	const total = 200_000
	db := MustOpenDB(b, dialect)
	org := storetest.MustCreateOrganization(b, db, "Centro Legal Ejemplo")
	ctx := as(amparo.RoleIntake, org.ID)
	pop := namestest.Population(total, 42)
	storePopulation(b, ctx, db, pop)
	if dialect == "postgres" {
		// What autovacuum keeps (statistics, and the visibility map that
		// lets an index answer alone), made now rather than when it wakes.
		if _, err := sqldb.RawDB(db).Exec("VACUUM ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	type query struct {
		name  string
		birth amparo.Date
	}
	queries := make([]query, 64)
	for i := range queries {
		p := pop[r.IntN(total)]
		queries[i].name = namestest.Variant(r, names.NewPerson(p.Name, p.Birth))
		if r.IntN(2) == 0 {
			queries[i].birth = amparo.Date{Time: p.Birth}
		}
	}
	var indexed time.Duration
	b.Run("indexed", func(b *testing.B) {
		i, found := 0, 0
		for b.Loop() {
			q := queries[i%len(queries)]
			i++
			got, err := db.ConflictCheck(ctx, q.name, q.birth, "")
			if err != nil {
				b.Fatal(err)
			}
			found += len(got)
		}
		if found == 0 {
			b.Fatal("no check found anyone")
		}
		indexed = b.Elapsed() / time.Duration(b.N)
		b.ReportMetric(float64(found)/float64(b.N), "found/op")
	})
	b.Run("scan", func(b *testing.B) {
		i, found := 0, 0
		for b.Loop() {
			q := queries[i%len(queries)]
			i++
			got, err := sqldb.ConflictScan(ctx, db, q.name, q.birth)
			if err != nil {
				b.Fatal(err)
			}
			found += len(got)
		}
		if found == 0 {
			b.Fatal("no scan found anyone")
		}
		b.ReportMetric(float64(found)/float64(b.N), "found/op")
		if indexed > 0 {
			b.ReportMetric(float64(b.Elapsed()/time.Duration(b.N))/float64(indexed), "x-indexed")
		}
	})
}

// TestConflictCheck_IndexFindsWhatScanFinds: on a population where many
// share a name, the check through the index returns what deciding on
// everyone returns.
func TestConflictCheck_IndexFindsWhatScanFinds(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleIntake, org.ID)
		pop := namestest.Population(2000, 5)
		storePopulation(t, ctx, db, pop)
		// The same 30 checks each run; a developer's run makes a sample
		// of them, CI all.
		r := rand.New(rand.NewPCG(8, 9))
		type check struct {
			name  string
			birth amparo.Date
		}
		var checks []check
		for range 30 {
			p := pop[r.IntN(len(pop))]
			checks = append(checks, check{namestest.Variant(r, names.NewPerson(p.Name, p.Birth)), amparo.Date{Time: p.Birth}})
		}
		checks = testenv.Sample(t, checks, 10)
		total := 0
		for _, c := range checks {
			name, birth := c.name, c.birth
			want, err := sqldb.ConflictScan(ctx, db, name, birth)
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.ConflictCheck(ctx, name, birth, "")
			if err != nil {
				t.Fatal(err)
			}
			ids := func(cs []*amparo.Candidate) []string {
				var out []string
				for _, c := range cs {
					out = append(out, c.RecordID)
				}
				slices.Sort(out)
				return out
			}
			if !slices.Equal(ids(got), ids(want)) {
				t.Errorf("%q: the index finds %d, the scan %d", name, len(got), len(want))
			}
			total += len(want)
		}
		if total < len(checks) {
			t.Fatalf("only %d found in %d checks", total, len(checks))
		}
	})
}

// storePopulation stores people as applicants of the context's
// organization, a batch at a time.
func storePopulation(tb testing.TB, ctx context.Context, db *sqldb.DB, pop []namestest.Person) {
	tb.Helper()
	for i := 0; i < len(pop); i += batch {
		var as []*amparo.Applicant
		for j, p := range pop[i:min(i+batch, len(pop))] {
			as = append(as, &amparo.Applicant{Key: strconv.Itoa(i + j), Facts: amparo.Facts{Personal: amparo.Personal{
				LegalName: p.Name, BirthDate: amparo.Date{Time: p.Birth}, Language: "es", Situation: amparo.SituationOther}}})
		}
		if _, err := db.CreateApplicants(ctx, as); err != nil {
			tb.Fatal(err)
		}
	}
}

// TestConflictChecks: checking names in one batch finds, for each name,
// what checking it alone finds and what deciding on everyone finds, each
// name leaving out its own record only; batches beyond one pass (64 names)
// are checked whole; each name checked is audited once.
func TestConflictChecks(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleIntake, org.ID)
		pop := namestest.Population(1500, 11)
		storePopulation(t, ctx, db, pop)
		// The record of someone stored, to leave out of one query and
		// not of the same name's next.
		self := storetest.MustCreateClient(t, as(amparo.RoleMember, org.ID), db, &amparo.Client{Personal: amparo.Personal{
			LegalName: "Fernando Pérez Noriega", BirthDate: amparo.MustDate("1980-04-02"), Language: "es", Situation: amparo.SituationOther}})
		r := rand.New(rand.NewPCG(12, 13))
		qs := []amparo.ConflictQuery{
			{Name: "Fernando Pérez Noriega", Birth: amparo.MustDate("1980-04-02"), Exclude: self.ID},
			{Name: "PEREZ NORIEGA, Fernando", Birth: amparo.MustDate("1980-04-02")},
			{Name: ""}, // no keys: finds no one
		}
		for len(qs) < 70 {
			p := pop[r.IntN(len(pop))]
			q := amparo.ConflictQuery{Name: namestest.Variant(r, names.NewPerson(p.Name, p.Birth))}
			if r.IntN(2) == 0 {
				q.Birth = amparo.Date{Time: p.Birth}
			}
			qs = append(qs, q)
		}
		audited := func() int {
			var n int
			if err := sqldb.RawDB(db).QueryRow(sqldb.Rebind(db, "SELECT COUNT(*) FROM audit_events WHERE action = ?"), string(amparo.AuditConflictCheck)).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := audited()
		got, err := db.ConflictChecks(ctx, qs)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(qs) {
			t.Fatalf("%d results for %d names", len(got), len(qs))
		}
		if n := audited() - before; n != len(qs)-1 {
			t.Errorf("%d checks audited, want %d (every name but the empty one)", n, len(qs)-1)
		}
		ids := func(cs []*amparo.Candidate) []string {
			var out []string
			for _, c := range cs {
				out = append(out, c.RecordID)
			}
			return out
		}
		found := 0
		for i, q := range qs {
			alone, err := db.ConflictCheck(ctx, q.Name, q.Birth, q.Exclude)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ids(got[i]), ids(alone)) {
				t.Errorf("%q: the batch finds %v, the check alone %v", q.Name, ids(got[i]), ids(alone))
			}
			for j := 1; j < len(got[i]); j++ {
				if got[i][j].Score > got[i][j-1].Score {
					t.Errorf("%q: candidates not best first", q.Name)
				}
			}
			if q.Exclude == "" {
				scan, err := sqldb.ConflictScan(ctx, db, q.Name, q.Birth)
				if err != nil {
					t.Fatal(err)
				}
				want, have := ids(scan), ids(got[i])
				slices.Sort(want)
				slices.Sort(have)
				if !slices.Equal(have, want) {
					t.Errorf("%q: the batch finds %d, deciding on everyone %d", q.Name, len(have), len(want))
				}
			}
			found += len(got[i])
		}
		if slices.Contains(ids(got[0]), self.ID) || !slices.Contains(ids(got[1]), self.ID) {
			t.Errorf("the record left out of the first name's check only: first %v, second %v", ids(got[0]), ids(got[1]))
		}
		if got[2] != nil {
			t.Errorf("an empty name found %v", ids(got[2]))
		}
		if found < 70 {
			t.Fatalf("only %d found by 70 checks", found)
		}
		// Another organization's batch sees none of these people.
		other, err := db.ConflictChecks(as(amparo.RoleMember, "other"), qs[:2])
		if err != nil || len(other) != 2 || len(other[0])+len(other[1]) != 0 {
			t.Fatalf("another organization found %v: %v", other, err)
		}
		if _, err := db.ConflictChecks(as(amparo.RoleOrganizer, "x"), qs[:1]); amparo.ErrorCode(err) != amparo.EFORBIDDEN {
			t.Errorf("an actor who sees no clients checked names: %v", err)
		}
	})
}
