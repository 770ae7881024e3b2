package auth

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

func TestNewTOTP(t *testing.T) {
	e, err := NewTOTP("Amparo", "maria@example.org")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(e.Secret)
	if err != nil || len(raw) != totpSecret {
		t.Fatalf("Secret %q: %d bytes, %v; want %d bytes of base32", e.Secret, len(raw), err, totpSecret)
	}
	u, err := url.Parse(e.URL)
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Amparo:maria@example.org" {
		t.Fatalf("URL = %q", e.URL)
	}
	q := u.Query()
	if q.Get("secret") != e.Secret || q.Get("issuer") != "Amparo" || q.Get("period") != "30" || q.Get("digits") != "6" || q.Get("algorithm") != "SHA1" {
		t.Fatalf("URL query = %v", q)
	}
	if again, _ := NewTOTP("Amparo", "maria@example.org"); again.Secret == e.Secret {
		t.Fatal("two enrollments share a secret")
	}
	if _, err := NewTOTP("Amparo", ""); err == nil {
		t.Fatal("NewTOTP without account name succeeded")
	}

}

// RFC 6238, appendix B: the SHA-1 seed "12345678901234567890"; the last six
// of its eight-digit codes.
func TestValidateTOTP_RFC6238(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for _, tt := range []struct {
		unix int64
		code string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	} {
		if step, ok := ValidateTOTP(secret, tt.code, time.Unix(tt.unix, 0), 0); !ok || step != tt.unix/30 {
			t.Errorf("ValidateTOTP(%s at %d) = %d, %v", tt.code, tt.unix, step, ok)
		}
	}
}

func TestValidateTOTP(t *testing.T) {
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	now := time.Date(2026, 3, 1, 9, 30, 14, 0, time.UTC)
	cur := now.Unix() / totpPeriod
	code := func(step int64) string { return totpCode(secret, step) }
	for _, tt := range []struct {
		name     string
		secret   string
		code     string
		lastUsed int64
		step     int64 // 0: refused
	}{
		{"Current", secret, code(cur), 0, cur},
		{"OneEarly", secret, code(cur - 1), 0, cur - 1},
		{"OneLate", secret, code(cur + 1), 0, cur + 1},
		{"TwoEarly", secret, code(cur - 2), 0, 0},
		{"TwoLate", secret, code(cur + 2), 0, 0},
		{"Spaces", secret, code(cur)[:3] + " " + code(cur)[3:], 0, cur},
		{"Replay", secret, code(cur), cur, 0},
		{"OlderThanUsed", secret, code(cur - 1), cur, 0},
		{"NewerThanUsed", secret, code(cur + 1), cur, cur + 1},
		{"UsedPreviousStep", secret, code(cur), cur - 1, cur},
		{"Wrong", secret, wrongCode(code(cur-1), code(cur), code(cur+1)), 0, 0},
		{"Five", secret, code(cur)[:5], 0, 0},
		{"Seven", secret, code(cur) + "0", 0, 0},
		{"Letters", secret, "abcdef", 0, 0},
		{"Signed", secret, "+12345", 0, 0},
		{"Empty", secret, "", 0, 0},
		{"FullWidthDigits", secret, strings.Map(func(r rune) rune { return r - '0' + '０' }, code(cur)), 0, 0},
		{"BadSecret", "not base32!", code(cur), 0, 0},
		{"LowercaseSecret", strings.ToLower(secret), code(cur), 0, cur},
	} {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := ValidateTOTP(tt.secret, tt.code, now, tt.lastUsed)
			if ok != (tt.step != 0) || step != tt.step {
				t.Fatalf("ValidateTOTP(%q, last %d) = %d, %v; want %d", tt.code, tt.lastUsed, step, ok, tt.step)
			}
		})
	}
}

// wrongCode returns a six-digit code that is none of codes.
func wrongCode(codes ...string) string {
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !strings.Contains(strings.Join(codes, " "), c) {
			return c
		}
	}
	panic("unreachable")
}

// totpCode returns the code for step.
func totpCode(secret string, step int64) string {
	c, _ := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	return c
}
