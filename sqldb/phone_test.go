package sqldb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

var public = amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "public"})

// Addresses the PINs come from (RFC 5737 documentation ranges).
const (
	clientAddr   = "192.0.2.10"
	attackerAddr = "198.51.100.66"
)

func wrongPIN(link *amparo.PhoneLink) string {
	if link.PIN == "000000" {
		return "111111"
	}
	return "000000"
}

func TestPhoneService(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Now()
		db.Now = func() time.Time { return now }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		ctx := as(amparo.RoleOrgAdmin, org.ID)
		l := mustIssue(t, db, org, m)

		link, err := db.FindPhoneLink(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(link.Token) < 20 || len(link.PIN) != 6 || link.ClientID != l.ClientID {
			t.Fatalf("link %+v", link)
		}
		page, err := db.OpenPhoneLetter(public, link.Token, link.PIN, clientAddr)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := db.FindClientByID(ctx, l.ClientID)
		if page.QR != l.QR || page.ClientName != c.LegalName || page.MemberName != m.Name || page.MemberPhone != m.PublicPhone ||
			page.Organization != org.Name || page.Status != amparo.LetterActive || page.Language != c.Language || page.LetterID != l.ID {
			t.Fatalf("page %+v", page)
		}
		_, err = db.FindPhoneLink(as(amparo.RoleMember, "another-org"), l.ID)
		wantCode(t, err, amparo.ENOTFOUND)

		t.Run("WrongPINsLockTheirSourceOnly", func(t *testing.T) {
			for range 3 {
				_, err := db.OpenPhoneLetter(public, link.Token, wrongPIN(link), attackerAddr)
				wantCode(t, err, amparo.EUNAUTHORIZED)
			}
			// The guesser's address is locked now, even for the right PIN...
			_, err := db.OpenPhoneLetter(public, link.Token, link.PIN, attackerAddr)
			wantCode(t, err, amparo.ECONFLICT)
			// ...but not the client's address, nor a device that opened
			// the page before.
			if _, err := db.OpenPhoneLetter(public, link.Token, link.PIN, clientAddr); err != nil {
				t.Fatalf("another address is locked out: %v", err)
			}
			if _, err := db.PhoneLetterByLink(public, link.ID); err != nil {
				t.Fatalf("an opened device is locked out: %v", err)
			}
			now = now.Add(2 * time.Minute)
			if _, err := db.OpenPhoneLetter(public, link.Token, link.PIN, attackerAddr); err != nil {
				t.Fatalf("after the wait: %v", err)
			}
		})
		t.Run("UnknownToken", func(t *testing.T) {
			_, err := db.OpenPhoneLetter(public, "no-such-token", link.PIN, clientAddr)
			wantCode(t, err, amparo.EUNAUTHORIZED)
		})
		t.Run("RevokedLetterSaysSo", func(t *testing.T) {
			if _, err := db.RevokeLetter(ctx, l.ID, "Representation ended"); err != nil {
				t.Fatal(err)
			}
			page, err := db.PhoneLetterByLink(public, link.ID)
			if err != nil || page.Status != amparo.LetterRevoked || page.QR != "" {
				t.Fatalf("revoked letter's page: %+v %v", page, err)
			}
		})
		t.Run("NewLinkRevokesOld", func(t *testing.T) {
			l := mustIssue(t, db, org, m)
			old, _ := db.FindPhoneLink(ctx, l.ID)
			next, err := db.CreatePhoneLink(ctx, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if next.Token == old.Token || next.ID == old.ID {
				t.Fatalf("the new link is the old one: %+v", next)
			}
			_, err = db.OpenPhoneLetter(public, old.Token, old.PIN, clientAddr)
			wantCode(t, err, amparo.EUNAUTHORIZED)
			_, err = db.PhoneLetterByLink(public, old.ID)
			wantCode(t, err, amparo.ENOTFOUND)
			if _, err := db.OpenPhoneLetter(public, next.Token, next.PIN, clientAddr); err != nil {
				t.Fatal(err)
			}
			if found, err := db.FindPhoneLink(ctx, l.ID); err != nil || found.Token != next.Token || found.PIN != next.PIN {
				t.Fatalf("FindPhoneLink after a new link: %+v %v", found, err)
			}
			if err := db.RevokePhoneLink(ctx, l.ID); err != nil {
				t.Fatal(err)
			}
			_, err = db.PhoneLetterByLink(public, next.ID)
			wantCode(t, err, amparo.ENOTFOUND)
			_, err = db.FindPhoneLink(ctx, l.ID)
			wantCode(t, err, amparo.ENOTFOUND)
			wantCode(t, db.RevokePhoneLink(ctx, l.ID), amparo.ENOTFOUND)
		})
	})
}

// TestPhoneService_LinkIsTheClients: renewing a letter keeps the client's
// link and PIN, and the link then shows the new letter; when the current
// letter is revoked or expires, the page says so.
func TestPhoneService_LinkIsTheClients(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		ctx := storetest.SignerFor(t, db, m)
		first := mustIssue(t, db, org, m)
		link, err := db.FindPhoneLink(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}

		now = now.AddDate(0, 0, 300)
		renewed, err := db.RenewLetter(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		renewed, _ = db.FindLetterByID(ctx, renewed.ID)
		for _, id := range []string{renewed.ID, first.ID} {
			got, err := db.FindPhoneLink(ctx, id)
			if err != nil || got.ID != link.ID || got.Token != link.Token || got.PIN != link.PIN {
				t.Fatalf("the link of letter %s after renewal: %+v %v, want %+v", id, got, err, link)
			}
		}
		// A device that opened the page before, and a new one with the same
		// PIN, both see the new letter.
		for _, open := range []func() (*amparo.PhoneLetter, error){
			func() (*amparo.PhoneLetter, error) { return db.PhoneLetterByLink(public, link.ID) },
			func() (*amparo.PhoneLetter, error) {
				return db.OpenPhoneLetter(public, link.Token, link.PIN, clientAddr)
			},
		} {
			page, err := open()
			if err != nil {
				t.Fatal(err)
			}
			if page.LetterID != renewed.ID || page.Status != amparo.LetterActive || page.QR != renewed.QR ||
				!page.ValidUntil.Equal(renewed.ValidUntil) {
				t.Fatalf("after renewal the page shows %+v, want letter %s", page, renewed.ID)
			}
		}

		t.Run("RevokedCurrentLetterSaysSo", func(t *testing.T) {
			if _, err := db.RevokeLetter(ctx, renewed.ID, "Representation ended"); err != nil {
				t.Fatal(err)
			}
			page, err := db.PhoneLetterByLink(public, link.ID)
			if err != nil || page.LetterID != renewed.ID || page.Status != amparo.LetterRevoked || page.QR != "" {
				t.Fatalf("page %+v %v", page, err)
			}
		})
		t.Run("ExpiredLetterSaysSo", func(t *testing.T) {
			l := mustIssue(t, db, org, m)
			link, _ := db.FindPhoneLink(ctx, l.ID)
			if _, err := db.ExpireLetters(ctx, now.AddDate(2, 0, 0)); err != nil {
				t.Fatal(err)
			}
			page, err := db.PhoneLetterByLink(public, link.ID)
			if err != nil || page.LetterID != l.ID || page.Status != amparo.LetterExpired || page.QR != "" {
				t.Fatalf("page %+v %v", page, err)
			}
		})
		t.Run("ErasedClientsLinkGoes", func(t *testing.T) {
			l := mustIssue(t, db, org, m)
			link, _ := db.FindPhoneLink(ctx, l.ID)
			if err := db.DeleteClient(as(amparo.RoleOrgAdmin, org.ID), l.ClientID); err != nil {
				t.Fatal(err)
			}
			_, err := db.OpenPhoneLetter(public, link.Token, link.PIN, clientAddr)
			wantCode(t, err, amparo.EUNAUTHORIZED)
			_, err = db.PhoneLetterByLink(public, link.ID)
			wantCode(t, err, amparo.ENOTFOUND)
		})
	})
}

// TestPhoneService_DailyBudget: however many addresses guess, a link takes
// at most a day's budget of wrong PINs; then it opens for no new device
// (devices that opened it before still do) until the day is over.
func TestPhoneService_DailyBudget(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		l := mustIssue(t, db, org, m)
		link, _ := db.FindPhoneLink(as(amparo.RoleMember, org.ID), l.ID)

		wrong := 0
		for i := range 50 {
			now = now.Add(time.Minute)
			_, err := db.OpenPhoneLetter(public, link.Token, wrongPIN(link), fmt.Sprintf("203.0.113.%d", i+1))
			switch amparo.ErrorCode(err) {
			case amparo.EUNAUTHORIZED:
				wrong++
			case amparo.ECONFLICT:
			default:
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if wrong != sqldb.PhonePINDailyBudget {
			t.Fatalf("%d wrong PINs checked from 50 addresses in under an hour, want the daily budget %d", wrong, sqldb.PhonePINDailyBudget)
		}
		// Not even the right PIN is checked now; a device that opened the
		// page before still reads it.
		_, err := db.OpenPhoneLetter(public, link.Token, link.PIN, clientAddr)
		wantCode(t, err, amparo.ECONFLICT)
		if _, err := db.PhoneLetterByLink(public, link.ID); err != nil {
			t.Fatalf("an opened device is locked out: %v", err)
		}
		now = now.Add(24 * time.Hour)
		if _, err := db.OpenPhoneLetter(public, link.Token, link.PIN, clientAddr); err != nil {
			t.Fatalf("the next day: %v", err)
		}
		// A month of guessing from fresh addresses: the budget, each day.
		wrong = 0
		for day := range 30 {
			for i := range sqldb.PhonePINDailyBudget + 2 {
				_, err := db.OpenPhoneLetter(public, link.Token, wrongPIN(link), fmt.Sprintf("203.0.%d.%d", day, i+1))
				if amparo.ErrorCode(err) == amparo.EUNAUTHORIZED {
					wrong++
				}
			}
			now = now.Add(24 * time.Hour)
		}
		if wrong != 30*sqldb.PhonePINDailyBudget {
			t.Fatalf("%d wrong PINs checked in 30 days, want %d", wrong, 30*sqldb.PhonePINDailyBudget)
		}
	})
}

// TestPhoneLinksMigration: links made per letter before migration 16 move
// to their letter's client, which keeps only its newest working link.
func TestPhoneLinksMigration(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		bg := context.Background()
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := storetest.MustCreateMember(t, db, org.ID, "900001")
		ctx := storetest.SignerFor(t, db, m)
		first := mustIssue(t, db, org, m)
		link, _ := db.FindPhoneLink(ctx, first.ID)
		renewed, err := db.RenewLetter(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		other := mustIssue(t, db, org, m)
		otherLink, _ := db.FindPhoneLink(ctx, other.ID)

		if err := sqldb.MigrateDownTo(bg, db, 15); err != nil {
			t.Fatal(err)
		}
		// Before, the first letter had a working link of its own, older.
		if _, err := sqldb.RawDB(db).ExecContext(bg, sqldb.Rebind(db, `INSERT INTO phone_links (id, letter_id, token_hash, pin_mac, sealed, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`), "old-link", first.ID, auth.TokenHash("old-token"), []byte("mac"), []byte("sealed"),
			"2025-01-01T00:00:00.000000Z"); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(bg); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{first.ID, renewed.ID} {
			got, err := db.FindPhoneLink(ctx, id)
			if err != nil || got.Token != link.Token || got.PIN != link.PIN || got.ClientID != first.ClientID {
				t.Fatalf("letter %s's link after the migration: %+v %v", id, got, err)
			}
		}
		if page, err := db.OpenPhoneLetter(public, link.Token, link.PIN, clientAddr); err != nil || page.LetterID != renewed.ID {
			t.Fatalf("page %+v %v", page, err)
		}
		_, err = db.OpenPhoneLetter(public, "old-token", link.PIN, clientAddr)
		wantCode(t, err, amparo.EUNAUTHORIZED)
		if page, err := db.OpenPhoneLetter(public, otherLink.Token, otherLink.PIN, clientAddr); err != nil || page.LetterID != other.ID {
			t.Fatalf("the other client's page %+v %v", page, err)
		}
	})
}
