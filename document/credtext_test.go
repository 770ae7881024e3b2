package document

import (
	"bytes"
	"crypto/ed25519"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/amparo-project/amparo/credential"
)

// verifyPrefix is the 29-character verify URL prefix the issue sizes
// letters behind, in its lower-case (longer in the QR) form.
const verifyPrefix = "https://amparo.example.org/v#"

// longestName repeats name's words to the longest client name a letter
// allows: credential.MaxNameLen characters or credential.MaxNameBytes
// bytes of UTF-8, whichever comes first.
func longestName(name string) string {
	out := ""
	for _, r := range strings.Repeat(name+" ", 4) {
		next := out + string(r)
		if utf8.RuneCountInString(next) > credential.MaxNameLen || len(next) > credential.MaxNameBytes {
			break
		}
		out = next
	}
	return strings.TrimSpace(out)
}

// longestLatin is a fictional client name with accents at the limit: the
// most bytes a name the fonts print may take.
var longestLatin = longestName("María José Ñúñez Güemes de la Peña Ibáñez")

func issuingKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
}

// v2Text is the QR text of a version 2 letter for l's client, with the
// largest status list ID, index and member reference a letter gets.
func v2Text(tb testing.TB, l *Letter) string {
	tb.Helper()
	on, exp := credential.V2Dates(l.IssuedAt, l.ValidUntil)
	c := &credential.ClaimsV2{ID: credential.ShortID{0x5f, 0x0c, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f},
		IssuedOn: on, Expires: exp, StatusListID: 1<<31 - 1, StatusIndex: 1<<17 - 1,
		ClientName: l.ClientName, Member: 65535}
	signed, err := credential.SignV2(c, issuingKey())
	if err != nil {
		tb.Fatal(err)
	}
	return credential.Encode(verifyPrefix, signed)
}

// v1Text is the QR text of the same letter in version 1, which carries
// the member's name, bar number and phone.
func v1Text(tb testing.TB, l *Letter) string {
	tb.Helper()
	c := &credential.Claims{ID: credential.CredentialID{0x5f, 0x0c, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7},
		IssuedAt: l.IssuedAt, Expires: l.ValidUntil, StatusListID: 1<<31 - 1, StatusIndex: 1<<17 - 1,
		ClientName: l.ClientName, MemberName: l.Member.Name, BarJurisdiction: l.Member.BarJurisdiction,
		BarNumber: l.Member.BarNumber, Phone: l.Member.Phone}
	signed, err := credential.Sign(c, issuingKey())
	if err != nil {
		tb.Fatal(err)
	}
	return credential.Encode(verifyPrefix, signed)
}

// longestLetter is the sample letter in lang for the longest client name,
// with its real QR text of version 1 or 2.
func longestLetter(tb testing.TB, lang string, version int) *Letter {
	l := sample(lang)
	l.ClientName = longestLatin
	if version == 1 {
		l.QR = v1Text(tb, l)
	} else {
		l.QR = v2Text(tb, l)
	}
	return l
}
