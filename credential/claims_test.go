package credential

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestClaims_Validate(t *testing.T) {
	accredited := func(c *Claims) {
		c.BarJurisdiction, c.BarNumber = "", ""
		c.Organization, c.Accreditation = "Centro Legal Ficticio", "R-000123"
	}
	tests := []struct {
		name  string
		edit  func(*Claims)
		field string // "" when valid
	}{
		{"Attorney", func(*Claims) {}, ""},
		{"Accredited", accredited, ""},
		{"LongestNames", func(c *Claims) {
			c.ClientName = strings.Repeat("Ñ", 24) + strings.Repeat("a", 16)
			c.MemberName = strings.Repeat("x", MaxNameLen)
		}, ""},
		{"NoID", func(c *Claims) { c.ID = CredentialID{} }, "id"},
		{"NoIssuedAt", func(c *Claims) { c.IssuedAt = time.Time{} }, "issued_at"},
		{"ExpiresBeforeIssued", func(c *Claims) { c.Expires = c.IssuedAt }, "expires"},
		{"NoClientName", func(c *Claims) { c.ClientName = "" }, "client_name"},
		{"ClientNameTooLong", func(c *Claims) { c.ClientName = strings.Repeat("a", MaxNameLen+1) }, "client_name"},
		{"ClientNameTooManyBytes", func(c *Claims) { c.ClientName = strings.Repeat("字", 22) }, "client_name"},
		{"ClientNameControl", func(c *Claims) { c.ClientName = "Ana\nEjemplo" }, "client_name"},
		{"ClientNameSpaces", func(c *Claims) { c.ClientName = " Ana" }, "client_name"},
		{"ClientNameInvalidUTF8", func(c *Claims) { c.ClientName = "Ana \xff" }, "client_name"},
		{"NoMemberName", func(c *Claims) { c.MemberName = "" }, "member_name"},
		{"NoBarNumber", func(c *Claims) { c.BarNumber = "" }, "bar_number"},
		{"NoBarJurisdiction", func(c *Claims) { c.BarJurisdiction = "" }, "bar_jurisdiction"},
		{"BarNumberTooLong", func(c *Claims) { c.BarNumber = strings.Repeat("9", MaxCodeLen+1) }, "bar_number"},
		{"BarNumberNotASCII", func(c *Claims) { c.BarNumber = "99ñ" }, "bar_number"},
		{"NeitherAttorneyNorAccredited", func(c *Claims) { c.BarJurisdiction, c.BarNumber = "", "" }, "bar_number"},
		{"Both", func(c *Claims) { c.Organization, c.Accreditation = "Centro Legal Ficticio", "R-1" }, "bar_number"},
		{"NoAccreditation", func(c *Claims) { accredited(c); c.Accreditation = "" }, "accreditation"},
		{"NoOrganization", func(c *Claims) { accredited(c); c.Organization = "" }, "organization"},
		{"NoPhone", func(c *Claims) { c.Phone = "" }, "phone"},
		{"PhoneLetters", func(c *Claims) { c.Phone = "call me" }, "phone"},
		{"PhoneTooLong", func(c *Claims) { c.Phone = strings.Repeat("5", MaxPhoneLen+1) }, "phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testClaims()
			tt.edit(c)
			err := c.Validate()
			var fe *FieldError
			switch {
			case tt.field == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.field != "" && !errors.As(err, &fe):
				t.Fatalf("error %v, want a FieldError for %s", err, tt.field)
			case tt.field != "" && fe.Field != tt.field:
				t.Fatalf("error names %q, want %q: %v", fe.Field, tt.field, err)
			case err != nil && !strings.Contains(err.Error(), tt.field):
				t.Fatalf("message %q does not name %s", err, tt.field)
			}
		})
	}
}

func TestClaims_CBOR(t *testing.T) {
	c := testClaims()
	b, err := c.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	t.Run("RoundTrip", func(t *testing.T) {
		var d Claims
		if err := d.UnmarshalCBOR(b); err != nil {
			t.Fatal(err)
		}
		want := *c
		want.IssuedAt, want.Expires = want.IssuedAt.UTC(), want.Expires.UTC()
		if d != want {
			t.Fatalf("got %+v\nwant %+v", d, want)
		}
		again, _ := d.MarshalCBOR()
		if string(again) != string(b) {
			t.Fatal("re-encoding differs")
		}
	})
	t.Run("SubSecondDropped", func(t *testing.T) {
		c := testClaims()
		c.IssuedAt = c.IssuedAt.Add(900 * time.Millisecond)
		b2, _ := c.MarshalCBOR()
		if string(b2) != string(b) {
			t.Fatal("sub-second part changed the encoding")
		}
	})
	// b starts ac 01 50 <id>: a map of 12 pairs, key 1, a 16-byte string.
	reject := map[string]string{
		"Truncated":    hex.EncodeToString(b[:len(b)-1]),
		"TrailingByte": hex.EncodeToString(b) + "00",
		"UnknownKey":   "ad" + hex.EncodeToString(b[1:]) + "1801" + "00",
		"LongFormKey":  "ac" + "1801" + hex.EncodeToString(b[2:]),
		"ShortID":      "ac01" + "4f" + hex.EncodeToString(b[3:18]) + hex.EncodeToString(b[19:]),
		"Empty":        "",
		"NotAMap":      "80",
		"Tagged":       "d818" + hex.EncodeToString(b),
	}
	for name, h := range reject {
		t.Run("Reject"+name, func(t *testing.T) {
			raw, _ := hex.DecodeString(h)
			var d Claims
			if err := d.UnmarshalCBOR(raw); err == nil {
				t.Fatalf("accepted %s", h)
			}
		})
	}
}
