package sqldb_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvimport"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/names"
	"github.com/amparo-project/amparo/sqldb"
)

// spellings are ways of writing one person's name that Amparo must call the
// same name everywhere.
var spellings = [][]string{
	{"María O'Neil", "MARÍA O’NEIL", "maria oneil", "Maria ONeil", "Marı́a  O`Neil"},
	{"José Pérez-Ñúñez", "JOSE PEREZ NUNEZ", "josé pérez ñúñez", "José\tPérez–Ñúñez"},
	{"Łukasz Groß-D’Angelo", "Lukasz Gross Dangelo", "LUKASZ GROSS D'ANGELO"},
	{"Ana Ejemplo Z0012", "ana ejemplo z 0012", "ANA EJEMPLO Z-0012"},
}

// TestNameFold_Consistent: the name search, the conflict check and the
// import keys fold a name the same: the same words (the conflict check
// setting numbers aside), so what one calls the same name the others do.
// Before there was one fold, "María O'Neil" was "maria o neil" to the
// search, "maria oneil" to the conflict check and "maria neil o" to the
// import keys.
func TestNameFold_Consistent(t *testing.T) {
	t.Parallel()
	k, err := envelope.New(envelope.GenerateMasterKey())
	if err != nil {
		t.Fatal(err)
	}
	sorted := func(s []string) []string { return slices.Sorted(slices.Values(s)) }
	for _, group := range append(spellings, []string{"María O Neil"}, []string{"O'Neil, María"}) {
		first := group[0]
		for _, name := range group {
			fold := names.Words(name)
			if got := names.Normalize(name); got != strings.Join(fold, " ") {
				t.Errorf("%q: Normalize %q, Words %q", name, got, fold)
			}
			// Import keys: the same words, sorted.
			if got := csvimport.NormalizeName(name); got != strings.Join(sorted(fold), " ") {
				t.Errorf("%q: import key folds %q, the fold is %q", name, got, fold)
			}
			// Conflict check: the same words, numbers aside.
			var letters, parsed []string
			for _, w := range fold {
				if !strings.ContainsAny(w, "0123456789") {
					letters = append(letters, w)
				}
			}
			p := names.Parse(name)
			for _, w := range append(p.Given, p.Surnames...) {
				parsed = append(parsed, w.Text)
			}
			if !slices.Equal(sorted(parsed), sorted(letters)) {
				t.Errorf("%q: the conflict check reads %q, the fold is %q", name, parsed, fold)
			}
			// Search: a token per distinct word of the fold.
			if got, want := k.Tokens("name", fold), k.Tokens("name", slices.Compact(sorted(fold))); len(got) != len(want) {
				t.Errorf("%q: %d tokens for %d words", name, len(got), len(want))
			}

			// And every spelling of the group is the same name to all three.
			if !slices.Equal(sorted(fold), sorted(names.Words(first))) {
				t.Errorf("%q folds to %q, %q to %q", name, fold, first, names.Words(first))
			}
			if csvimport.RowKey([]byte("s"), name, amparo.Date{}) != csvimport.RowKey([]byte("s"), first, amparo.Date{}) {
				t.Errorf("%q and %q have other import keys", name, first)
			}
			if d := names.Score(names.NewPerson(name, amparo.Date{}.Time), names.NewPerson(first, amparo.Date{}.Time)).Decision; d != names.Match {
				t.Errorf("the conflict check calls %q and %q %v", name, first, d)
			}
		}
	}
	if got := names.Normalize("María O'Neil"); got != "maria oneil" {
		t.Errorf("the fold of María O'Neil is %q", got)
	}
}

// intakeFile is a CSV file of people, each a name and a date of birth.
func intakeFile(people ...[2]string) *bytes.Reader {
	var b strings.Builder
	b.WriteString("legal_name,date_of_birth,preferred_language,immigration_situation\n")
	for _, p := range people {
		b.WriteString(`"` + p[0] + `",` + p[1] + ",es,daca\n")
	}
	return bytes.NewReader([]byte(b.String()))
}

// TestNameFold_Store: a search for "ONeil" finds the client and the
// applicant the conflict check calls María O'Neil, and importing her again
// under another spelling adds no one.
func TestNameFold_Store(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		member, staff := as(amparo.RoleMember, org.ID), as(amparo.RoleIntake, org.ID)
		born := amparo.MustDate("1990-04-02")
		c := storetest.MustCreateClient(t, member, db, &amparo.Client{OrganizationID: org.ID, Personal: amparo.Personal{
			LegalName: "María O'Neil", BirthDate: born, Language: "es", Situation: amparo.SituationOther}})
		hits, err := db.ConflictCheck(member, "Maria ONeil", born, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 1 || hits[0].RecordID != c.ID || hits[0].Decision != "match" {
			t.Fatalf("the conflict check found %+v, want the client as a match", hits)
		}
		for _, q := range []string{"ONeil", "O’Neil", "o'neil", "MARÍA ONEIL", "oneil maria"} {
			got, _, err := db.FindClients(member, amparo.ClientFilter{Name: q})
			if err != nil || len(got) != 1 || got[0].ID != c.ID {
				t.Errorf("search %q found %d clients (%v), want her", q, len(got), err)
			}
		}

		opts := intake.Options{OrganizationID: org.ID, KeySecret: db.IntakeKeySecret()}
		rep, err := intake.Import(staff, db, intakeFile([2]string{"María O'Neil", "1990-04-02"}), opts)
		if err != nil || rep.Created != 1 {
			t.Fatalf("first import created %d: %v", rep.Created, err)
		}
		rep, err = intake.Import(staff, db, intakeFile([2]string{"MARIA O’NEIL", "1990-04-02"}, [2]string{"O'Neil, María", "1990-04-02"},
			[2]string{"Maria ONeil", "1990-04-02"}), intake.Options{OrganizationID: org.ID, KeySecret: db.IntakeKeySecret(), Partial: true})
		if err != nil || rep.Created != 0 || rep.Known != 1 {
			t.Fatalf("importing her again: created %d, known %d, %d errors: %v; want 0, 1 (the file's other rows are duplicates)", rep.Created, rep.Known, len(rep.Errors), err)
		}
		if got := findByName(t, db, org.ID, "ONeil"); len(got) != 1 || got[0].LegalName != "María O'Neil" {
			t.Errorf("applicants found by ONeil: %d", len(got))
		}
	})
}

// TestApplicantKeys_Reindex: applicants imported with the keys and tokens
// of the folds before this one get them made again at Migrate, once, so
// that importing them again adds no one and a search finds them; two
// people the new fold makes one are both kept.
func TestApplicantKeys_Reindex(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dsn, master := migratedDSN(t, dialect), envelope.GenerateMasterKey()
			db := storetest.MustOpenDSN(t, dsn, master)
			org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
			staff := as(amparo.RoleIntake, org.ID)
			secret := db.IntakeKeySecret()
			born := amparo.MustDate("1990-04-02")
			person := func(key, name string) *amparo.Applicant {
				return &amparo.Applicant{Key: key, Facts: amparo.Facts{Personal: amparo.Personal{
					LegalName: name, BirthDate: born, Language: "es", Situation: amparo.SituationOther}}}
			}
			// The import fold of version 1 read "María O'Neil" as "maria
			// neil o", and kept ß.
			oneil := person(csvimport.RowKey(secret, "maria neil o", born), "María O'Neil")
			strauss := person(csvimport.RowKey(secret, "Ana Strauss", born), "Ana Strauss")
			straussOld := person("an old key of ana strauß", "Ana Strauß")
			if n, err := db.CreateApplicants(staff, []*amparo.Applicant{oneil, strauss, straussOld}); err != nil || n != 3 {
				t.Fatalf("created %d: %v", n, err)
			}
			k, err := envelope.New(master)
			if err != nil {
				t.Fatal(err)
			}
			raw := sqldb.RawDB(db)
			for _, q := range []struct {
				q    string
				args []any
			}{
				{"UPDATE meta SET value = '1' WHERE key IN ('applicant_keys_version', 'name_tokens_version')", nil},
				// Her tokens as the search folded her before: maria, o, neil.
				{"DELETE FROM applicant_name_tokens WHERE applicant_id = ?", []any{oneil.ID}},
				{"INSERT INTO applicant_name_tokens (token, applicant_id) VALUES (?, ?)", []any{k.Tokens("applicant.name", []string{"maria"})[0], oneil.ID}},
				{"INSERT INTO applicant_name_tokens (token, applicant_id) VALUES (?, ?)", []any{k.Tokens("applicant.name", []string{"o"})[0], oneil.ID}},
				{"INSERT INTO applicant_name_tokens (token, applicant_id) VALUES (?, ?)", []any{k.Tokens("applicant.name", []string{"neil"})[0], oneil.ID}},
			} {
				if _, err := raw.Exec(sqldb.Rebind(db, q.q), q.args...); err != nil {
					t.Fatal(err)
				}
			}
			if got := findByName(t, db, org.ID, "ONeil"); len(got) != 0 {
				t.Fatal("old tokens found ONeil")
			}

			db, log := reopen(t, dsn, master)
			key := func(id string) string {
				var k string
				if err := sqldb.RawDB(db).QueryRow(sqldb.Rebind(db, "SELECT row_key FROM applicants WHERE id = ?"), id).Scan(&k); err != nil {
					t.Fatal(err)
				}
				return k
			}
			if got, want := key(oneil.ID), csvimport.RowKey(secret, "María O'Neil", born); got != want {
				t.Errorf("her key is %s, want %s", got, want)
			}
			if got := key(strauss.ID); got != strauss.Key {
				t.Errorf("the key already right changed to %s", got)
			}
			if got := key(straussOld.ID); got != straussOld.Key {
				t.Errorf("the record the new fold makes a duplicate has key %s, want its old one kept", got)
			}
			if got := findByName(t, db, org.ID, "ONeil"); len(got) != 1 || got[0].ID != oneil.ID {
				t.Errorf("found %d by ONeil after the rebuild, want her", len(got))
			}
			rep, err := intake.Import(staff, db, intakeFile([2]string{"Maria O’Neil", "1990-04-02"}, [2]string{"Ana Strauß", "1990-04-02"}),
				intake.Options{OrganizationID: org.ID, KeySecret: db.IntakeKeySecret()})
			if err != nil || rep.Created != 0 || rep.Known != 2 {
				t.Fatalf("re-import: created %d, known %d: %v; want 0 and 2", rep.Created, rep.Known, err)
			}
			if _, n, err := db.FindApplicants(staff, amparo.ApplicantFilter{}); err != nil || n != 3 {
				t.Fatalf("%d applicants after the re-import, want 3: %v", n, err)
			}
			if !strings.Contains(log.String(), `msg="applicant import keys rebuilt" people=3 changed=1 kept_apart=1 keys_version=2`) {
				t.Errorf("no log line with the counts:\n%s", log)
			}
			for _, w := range []string{"María", "Neil", "Strau"} {
				if strings.Contains(log.String(), w) {
					t.Errorf("the log names %q:\n%s", w, log)
				}
			}
			_, log = reopen(t, dsn, master)
			if strings.Contains(log.String(), "rebuilt") {
				t.Errorf("a second start rebuilt again:\n%s", log)
			}
		})
	}
}
