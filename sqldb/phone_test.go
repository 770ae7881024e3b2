package sqldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/sqldb"
)

var public = amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "public"})

func TestPhoneService(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Now()
		db.Now = func() time.Time { return now }
		org := MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		m := MustCreateMember(t, db, org.ID, "900001")
		ctx := as(amparo.RoleOrgAdmin, org.ID)
		l := mustIssue(t, db, org, m)

		link, err := db.FindPhoneLink(ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(link.Token) < 20 || len(link.PIN) != 6 {
			t.Fatalf("link %+v", link)
		}
		page, err := db.OpenPhoneLetter(public, link.Token, link.PIN)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := db.FindClientByID(ctx, l.ClientID)
		if page.QR != l.QR || page.ClientName != c.LegalName || page.MemberName != m.Name || page.MemberPhone != m.PublicPhone ||
			page.Organization != org.Name || page.Status != amparo.LetterActive || page.Language != c.Language {
			t.Fatalf("page %+v", page)
		}
		_, err = db.FindPhoneLink(as(amparo.RoleMember, "another-org"), l.ID)
		wantCode(t, err, amparo.ENOTFOUND)

		t.Run("WrongPINsAreThrottled", func(t *testing.T) {
			wrong := "000000"
			if wrong == link.PIN {
				wrong = "111111"
			}
			for range 3 {
				_, err := db.OpenPhoneLetter(public, link.Token, wrong)
				wantCode(t, err, amparo.EUNAUTHORIZED)
			}
			// Locked now, even for the right PIN, until the wait is over.
			_, err := db.OpenPhoneLetter(public, link.Token, link.PIN)
			wantCode(t, err, amparo.ECONFLICT)
			now = now.Add(2 * time.Minute)
			if _, err := db.OpenPhoneLetter(public, link.Token, link.PIN); err != nil {
				t.Fatalf("after the wait: %v", err)
			}
		})
		t.Run("UnknownToken", func(t *testing.T) {
			_, err := db.OpenPhoneLetter(public, "no-such-token", link.PIN)
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
			_, err = db.OpenPhoneLetter(public, old.Token, old.PIN)
			wantCode(t, err, amparo.EUNAUTHORIZED)
			if _, err := db.OpenPhoneLetter(public, next.Token, next.PIN); err != nil {
				t.Fatal(err)
			}
			if err := db.RevokePhoneLink(ctx, l.ID); err != nil {
				t.Fatal(err)
			}
			_, err = db.PhoneLetterByLink(public, next.ID)
			wantCode(t, err, amparo.ENOTFOUND)
		})
	})
}
