package sqldb_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

func TestClientService_CreateClient(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleIntake, org.ID)

		t.Run("RoundTrip", func(t *testing.T) {
			c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{})
			got, err := db.FindClientByID(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.LegalName != c.LegalName || got.Phone != c.Phone || got.Address != c.Address ||
				got.BirthDate != c.BirthDate || got.Situation != c.Situation || len(got.EmergencyContacts) != 1 ||
				got.EmergencyContacts[0] != c.EmergencyContacts[0] || !got.Consents[0].GivenAt.Equal(c.Consents[0].GivenAt) {
				t.Fatalf("read back %+v\nwant %+v", got.Personal, c.Personal)
			}
			if got.OrganizationID != org.ID || got.CreatedAt.IsZero() {
				t.Fatalf("org %q created %v", got.OrganizationID, got.CreatedAt)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			err := db.CreateClient(ctx, &amparo.Client{Personal: amparo.Personal{Language: "es", Situation: amparo.SituationTPS}})
			wantCode(t, err, amparo.EINVALID)
			if f := amparo.ErrorField(err); f != "legal_name" {
				t.Fatalf("field = %q, want legal_name", f)
			}
			if !strings.Contains(err.Error(), "tps_country") {
				t.Fatalf("error %q does not also name tps_country", err)
			}
		})
		t.Run("BatchIsAllOrNothing", func(t *testing.T) {
			_, before, _ := db.FindClients(ctx, amparo.ClientFilter{})
			good := &amparo.Client{Personal: amparo.Personal{LegalName: "Ana Ejemplo", Language: "es", Situation: amparo.SituationDACA}}
			dup := &amparo.Client{ID: good.ID, Personal: good.Personal}
			good.ID = amparo.NewID()
			dup.ID = good.ID
			err := db.CreateClients(ctx, []*amparo.Client{good, dup})
			wantCode(t, err, amparo.ECONFLICT)
			if _, after, _ := db.FindClients(ctx, amparo.ClientFilter{}); after != before {
				t.Fatalf("clients went from %d to %d after a failed batch", before, after)
			}
		})
	})
}

func TestClientService_FindClients(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleMember, org.ID)
		names := []struct{ legal, preferred string }{
			{"María José Pérez Ejemplo", ""},
			{"José Luis Prueba", "Pepe"},
			{"Marisol Pérez Muestra", ""},
		}
		ids := map[string]string{}
		for _, n := range names {
			c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: n.legal, PreferredName: n.preferred, Language: "es", Situation: amparo.SituationNoneKnown}})
			ids[n.legal] = c.ID
		}
		for _, tt := range []struct {
			query string
			want  []string
		}{
			{"perez", []string{"María José Pérez Ejemplo", "Marisol Pérez Muestra"}},
			{"JOSÉ", []string{"María José Pérez Ejemplo", "José Luis Prueba"}},
			{"jose perez", []string{"María José Pérez Ejemplo"}},
			{"pepe prueba", []string{"José Luis Prueba"}},
			{"nadie", nil},
			{"--", nil},
		} {
			t.Run(tt.query, func(t *testing.T) {
				got, n, err := db.FindClients(ctx, amparo.ClientFilter{Name: tt.query})
				if err != nil {
					t.Fatal(err)
				}
				if n != len(tt.want) || len(got) != len(tt.want) {
					t.Fatalf("got %d (n=%d), want %v", len(got), n, tt.want)
				}
				for i, w := range tt.want {
					if got[i].ID != ids[w] {
						t.Fatalf("result %d is %q, want %q", i, got[i].LegalName, w)
					}
				}
			})
		}
	})
}

func TestClientService_OrganizationIsolation(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		a := storetest.MustCreateOrganization(t, db, "Organización A Ejemplo")
		b := storetest.MustCreateOrganization(t, db, "Organization B Sample")
		c := storetest.MustCreateClient(t, as(amparo.RoleIntake, a.ID), db, &amparo.Client{})
		other := as(amparo.RoleMember, b.ID)

		_, err := db.FindClientByID(other, c.ID)
		wantCode(t, err, amparo.ENOTFOUND)
		if cs, n, err := db.FindClients(other, amparo.ClientFilter{}); err != nil || n != 0 || len(cs) != 0 {
			t.Fatalf("another organization lists %d clients (%v)", n, err)
		}
		if cs, _, _ := db.FindClients(other, amparo.ClientFilter{Name: c.LegalName}); len(cs) != 0 {
			t.Fatal("another organization finds the client by name")
		}
		c.LegalName = "Changed Name"
		wantCode(t, db.UpdateClient(other, c), amparo.EFORBIDDEN)
		c.OrganizationID = b.ID
		wantCode(t, db.UpdateClient(other, c), amparo.ENOTFOUND)
		wantCode(t, db.DeleteClient(other, c.ID), amparo.ENOTFOUND)
		wantCode(t, db.CreateClient(other, &amparo.Client{OrganizationID: a.ID, Personal: amparo.Personal{LegalName: "X Ejemplo", Language: "es", Situation: amparo.SituationOther}}), amparo.EFORBIDDEN)

		for _, role := range []amparo.Role{amparo.RoleProgramAdmin, amparo.RoleAuditor, amparo.RoleFundOfficer, amparo.RoleProcurement, amparo.RoleOrganizer} {
			_, _, err := db.FindClients(as(role, ""), amparo.ClientFilter{})
			wantCode(t, err, amparo.EFORBIDDEN)
		}
		_, err = db.FindClientByID(context.Background(), c.ID)
		wantCode(t, err, amparo.EUNAUTHORIZED)

		if got, err := db.FindClientByID(as(amparo.RoleMember, a.ID), c.ID); err != nil || got.LegalName == "Changed Name" {
			t.Fatalf("the client changed through another organization: %v %v", got, err)
		}
	})
}

func TestClientService_UpdateClient(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleMember, org.ID)
		c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{})
		c.LegalName, c.Detained = "Rosa Nueva Ejemplo", true
		if err := db.UpdateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, _ := db.FindClientByID(ctx, c.ID)
		if got.LegalName != "Rosa Nueva Ejemplo" || !got.Detained {
			t.Fatalf("after update: %+v", got.Personal)
		}
		if cs, _, _ := db.FindClients(ctx, amparo.ClientFilter{Name: "nueva"}); len(cs) != 1 {
			t.Fatal("new name not searchable")
		}
		if cs, _, _ := db.FindClients(ctx, amparo.ClientFilter{Name: strings.Fields(c.LegalName)[0] + " zzz"}); len(cs) != 0 {
			t.Fatal("search matched a word the client does not have")
		}
		c.ID = amparo.NewID()
		wantCode(t, db.UpdateClient(ctx, c), amparo.ENOTFOUND)
	})
}

func TestClientService_DeleteClient(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		ctx := as(amparo.RoleMember, org.ID)
		c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: "Inés Borrable Ejemplo", Language: "es", Situation: amparo.SituationAsylum}})
		l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: org.ID}
		if err := db.CreateLetter(ctx, l); err != nil {
			t.Fatal(err)
		}
		if _, err := db.IssueLetter(storetest.SignerFor(t, db, m), l.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteClient(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err := db.FindClientByID(ctx, c.ID)
		wantCode(t, err, amparo.ENOTFOUND)
		if cs, _, _ := db.FindClients(ctx, amparo.ClientFilter{Name: "borrable"}); len(cs) != 0 {
			t.Fatal("erased client still found by name")
		}
		got, err := db.FindLetterByID(ctx, l.ID)
		if err != nil || got.Status != amparo.LetterRevoked || got.ClientID != "" {
			t.Fatalf("letter after erase: %+v, %v", got, err)
		}
		raw := sqldb.RawDB(db)
		for _, table := range []string{"client_keys", "client_name_tokens"} {
			var n int
			raw.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n)
			if n != 0 {
				t.Errorf("%s still has %d rows", table, n)
			}
		}
		wantCode(t, db.DeleteClient(ctx, c.ID), amparo.ENOTFOUND)
		events, _, _ := db.FindAuditEvents(system, amparo.AuditFilter{RecordID: c.ID, Action: "client.erase"})
		if len(events) != 1 {
			t.Fatalf("%d erase events, want 1", len(events))
		}
	})
}

// personalValues are the distinctive values of a client that must never be
// found in clear in the database.
var personalValues = amparo.Personal{
	LegalName: "Zacarías Quiñónez Ejemplo", PreferredName: "Zaqui", Language: "es",
	BirthDate: amparo.MustDate("1987-03-14"), Phone: "+1 213 555 0177",
	Address:        amparo.Address{Line1: "4821 Placeholder Blvd", City: "Pacoima", PostalCode: "91331"},
	CountryOfBirth: "SV", Situation: amparo.SituationTPS, TPSCountry: "SV",
	EmergencyContacts: []amparo.EmergencyContact{{Name: "Eulalia Quiñónez Muestra", Phone: "+1 213 555 0166"}},
}

var needles = []string{"Zacar", "Zaqui", "Quiñónez", "Quinonez", "Eulalia", "1987-03-14", "555 0177", "555 0166", "4821 Placeholder", "Placeholder", "Pacoima", "91331",
	letterLanguage, letterReason}

// A letter for the client copies its language, and one revoked says why:
// neither may be found in clear either. The language is one a client
// could speak (K'iche', as in Guatemala) and no record of the test's
// organization or member names.
const (
	letterLanguage = "quc-GT"
	letterReason   = "Canario: se mudó a Ficticia"
)

// mustCreateLetters gives c a letter in letterLanguage, and one revoked
// with letterReason.
func mustCreateLetters(t *testing.T, db *sqldb.DB, orgID string, c *amparo.Client) {
	t.Helper()
	m := storetest.MustCreateMember(t, db, orgID, "900011")
	ctx := storetest.SignerFor(t, db, m)
	for _, revoke := range []bool{true, false} {
		l := &amparo.Letter{ClientID: c.ID, MemberID: m.ID, OrganizationID: orgID, Languages: []string{letterLanguage, "es"}}
		if err := db.CreateLetter(ctx, l); err != nil {
			t.Fatal(err)
		}
		if !revoke {
			continue
		}
		if _, err := db.IssueLetter(ctx, l.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.RevokeLetter(ctx, l.ID, letterReason); err != nil {
			t.Fatal(err)
		}
	}
	if ls, _, err := db.FindLetters(ctx, amparo.LetterFilter{ClientID: c.ID}); err != nil || len(ls) != 2 || ls[0].Languages[0] != letterLanguage {
		t.Fatalf("the letters read back: %v", err)
	}
}

func TestClientService_EncryptedAtRest(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		db := storetest.MustOpenDSN(t, "sqlite:"+filepath.Join(dir, "amparo.db"), envelope.GenerateMasterKey())
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleIntake, org.ID)
		c := &amparo.Client{Personal: personalValues}
		storetest.MustCreateClient(t, ctx, db, c)
		mustCreateLetters(t, db, org.ID, c)
		// Search too, so that query paths leave nothing behind either.
		if cs, _, _ := db.FindClients(ctx, amparo.ClientFilter{Name: "quiñónez"}); len(cs) != 1 {
			t.Fatal("client not found by name")
		}
		files, _ := filepath.Glob(filepath.Join(dir, "amparo.db*"))
		if len(files) < 2 {
			t.Fatalf("expected the database and its WAL, found %v", files)
		}
		for _, f := range files {
			b, _ := os.ReadFile(f)
			for _, n := range needles {
				if bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(n))) {
					t.Errorf("%s holds %q in clear", filepath.Base(f), n)
				}
			}
		}
	})
	t.Run("postgres", func(t *testing.T) {
		db := MustOpenDB(t, "postgres")
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		c := storetest.MustCreateClient(t, as(amparo.RoleIntake, org.ID), db, &amparo.Client{Personal: personalValues})
		mustCreateLetters(t, db, org.ID, c)
		rows, err := sqldb.RawDB(db).Query(`SELECT t::text FROM clients t UNION ALL SELECT t::text FROM client_keys t
			UNION ALL SELECT t::text FROM client_name_tokens t UNION ALL SELECT t::text FROM audit_events t
			UNION ALL SELECT t::text FROM letters t`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var all strings.Builder
		for rows.Next() {
			var s string
			rows.Scan(&s)
			all.WriteString(s)
		}
		if all.Len() < 100 {
			t.Fatalf("read only %d bytes of rows", all.Len())
		}
		// Rows print bytea, IDs and timestamps as runs of hex digits, where a
		// number such as a postal code turns up by chance: a needle is looked
		// for outside those runs (a value stored in clear is in text).
		text := regexp.MustCompile(`[0-9a-f]{12,}|\d{2}:\d{2}:\d{2}\.\d+`).ReplaceAllString(strings.ToLower(all.String()), " ")
		for _, n := range needles {
			if strings.Contains(text, strings.ToLower(n)) {
				t.Errorf("a row holds %q in clear", n)
			}
		}
	})
}

func TestOpen_WrongMasterKey(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dsn := migratedDSN(t, dialect)
			db := storetest.MustOpenDSN(t, dsn, envelope.GenerateMasterKey())
			org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
			storetest.MustCreateClient(t, as(amparo.RoleIntake, org.ID), db, &amparo.Client{})
			db.Close()

			k, _ := envelope.New(envelope.GenerateMasterKey())
			db2, err := sqldb.Open(dsn, k, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			if err := db2.Migrate(context.Background()); !errors.Is(err, sqldb.ErrWrongMasterKey) {
				t.Fatalf("Migrate with the wrong key: %v, want ErrWrongMasterKey", err)
			}
		})
	}
}
