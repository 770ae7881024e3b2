package sqldb_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// TestLetterService_FindLetters_Lists: letters sort by their main columns
// the same way on both databases (a letter not issued first ascending, last
// descending; the ID breaking ties), filter by the client's name, member
// and expiry, and carry the client's and member's names; an unknown sort
// is EINVALID.
func TestLetterService_FindLetters_Lists(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		m2 := storetest.MustCreateMember(t, db, org.ID, "900002")
		ctx := storetest.SignerFor(t, db, m)
		var ls []*amparo.Letter
		for i, name := range []string{"Ana Ejemplo Prueba", "Beto Muestra Ficticio", "Carla Ejemplo Modelo"} {
			now = now.Add(time.Hour)
			c := storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: name, Language: "es"}})
			mem := m
			if i == 1 {
				mem = m2
			}
			l := &amparo.Letter{ClientID: c.ID, MemberID: mem.ID, OrganizationID: org.ID}
			if err := db.CreateLetter(ctx, l); err != nil {
				t.Fatal(err)
			}
			ls = append(ls, l)
		}
		now = now.Add(time.Hour)
		if _, err := db.IssueLetter(ctx, ls[2].ID); err != nil {
			t.Fatal(err)
		}
		now = now.AddDate(0, 0, 1) // a day later: it ends a day later
		if _, err := db.IssueLetter(ctx, ls[0].ID); err != nil {
			t.Fatal(err)
		}
		ids := func(f amparo.LetterFilter) string {
			t.Helper()
			got, n, err := db.FindLetters(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			s := fmt.Sprint(n, ":")
			for _, l := range got {
				for i, x := range ls {
					if x.ID == l.ID {
						s += fmt.Sprint(i)
					}
				}
			}
			return s
		}
		for _, tt := range []struct {
			f    amparo.LetterFilter
			want string
		}{
			{amparo.LetterFilter{}, "3:210"},
			{amparo.LetterFilter{Sort: "created"}, "3:012"},
			{amparo.LetterFilter{Sort: "issued"}, "3:120"},
			{amparo.LetterFilter{Sort: "-issued"}, "3:021"},
			{amparo.LetterFilter{Sort: "expiry"}, "3:120"},
			{amparo.LetterFilter{Sort: "-expiry"}, "3:021"},
			{amparo.LetterFilter{Sort: "status"}, "3:201"},
			{amparo.LetterFilter{Sort: "-created", Offset: 1, Limit: 1}, "3:1"},
			{amparo.LetterFilter{ClientName: "ejemplo"}, "2:20"},
			{amparo.LetterFilter{ClientName: "muestra beto"}, "1:1"},
			{amparo.LetterFilter{ClientName: "nadie"}, "0:"},
			{amparo.LetterFilter{MemberID: m2.ID}, "1:1"},
			{amparo.LetterFilter{ExpiresBefore: now.AddDate(0, 0, 30)}, "0:"},
			{amparo.LetterFilter{ExpiresBefore: now.AddDate(1, 0, 30), Sort: "expiry"}, "2:20"},
		} {
			if got := ids(tt.f); got != tt.want {
				t.Errorf("%+v: %s, want %s", tt.f, got, tt.want)
			}
		}
		got, _, err := db.FindLetters(ctx, amparo.LetterFilter{MemberID: m2.ID})
		if err != nil || got[0].ClientName != "Beto Muestra Ficticio" || got[0].MemberName != m2.Name {
			t.Fatalf("names: %+v %v", got, err)
		}
		if l, err := db.FindLetterByID(ctx, ls[0].ID); err != nil || l.ClientName != "Ana Ejemplo Prueba" || l.CreatedBy != m.AccountID {
			t.Fatalf("one letter's names: %v", err)
		}
		_, _, err = db.FindLetters(ctx, amparo.LetterFilter{Sort: "client_id"})
		wantCode(t, err, amparo.EINVALID)
	})
}

// TestClientService_FindClients_Sort: clients sort by when added or
// changed, and by name only when there are few enough to open.
func TestClientService_FindClients_Sort(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		ctx := storetest.SignerFor(t, db, m)
		var cs []*amparo.Client
		for _, name := range []string{"Carla Ejemplo Prueba", "Ángel Muestra Prueba", "Beto Ficticio Prueba"} {
			now = now.Add(time.Minute)
			cs = append(cs, storetest.MustCreateClient(t, ctx, db, &amparo.Client{Personal: amparo.Personal{LegalName: name, Language: "es"}}))
		}
		now = now.Add(time.Minute)
		cs[0].PreferredName = "Carlita"
		if err := db.UpdateClient(ctx, cs[0]); err != nil {
			t.Fatal(err)
		}
		order := func(f amparo.ClientFilter) string {
			t.Helper()
			got, _, err := db.FindClients(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			s := ""
			for _, c := range got {
				s += string([]rune(c.LegalName)[:1])
			}
			return s
		}
		for _, tt := range []struct{ sort, want string }{
			{"", "CÁB"}, {"-created", "BÁC"}, {"updated", "ÁBC"}, {"-updated", "CBÁ"}, {"name", "ÁBC"}, {"-name", "CBÁ"},
		} {
			if got := order(amparo.ClientFilter{Sort: tt.sort}); got != tt.want {
				t.Errorf("sort %q: %s, want %s", tt.sort, got, tt.want)
			}
		}
		if got := order(amparo.ClientFilter{Sort: "name", Offset: 1, Limit: 1}); got != "B" {
			t.Errorf("the second page of one by name: %s", got)
		}
		_, _, err := db.FindClients(ctx, amparo.ClientFilter{Sort: "sealed"})
		wantCode(t, err, amparo.EINVALID)
	})
}
