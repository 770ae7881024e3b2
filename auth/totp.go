package auth

import (
	"crypto/subtle"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings: RFC 6238 with the parameters every authenticator app
// supports (SHA-1, 6 digits, 30-second steps) and a 160-bit secret, the size
// RFC 4226 recommends. Codes one step early or late are accepted, for clock
// drift and the seconds it takes to type one.
const (
	totpPeriod = 30
	totpDigits = 6
	totpSkew   = 1
	totpSecret = 20 // bytes
)

// Enrollment is a new TOTP secret to show once, as a QR code and as text, and
// to keep (encrypted) once the person has typed a first valid code.
type Enrollment struct {
	Secret string // base32, as authenticator apps take it when typed
	URL    string // otpauth://totp/...; what the QR code holds
}

// NewTOTP returns a fresh TOTP secret for account (shown in the app, e.g. the
// email address) under issuer (e.g. "Amparo").
func NewTOTP(issuer, account string) (*Enrollment, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      totpPeriod,
		SecretSize:  totpSecret,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, err
	}
	return &Enrollment{Secret: key.Secret(), URL: key.URL()}, nil
}

// ValidateTOTP checks a typed code against secret at time now. It accepts the
// code of the current step or of one step either side, but only of a step
// after lastUsedStep, the step of the last code this account used (0 if
// none): a code, once accepted, is refused for the rest of its life, and so is
// any older one. On success it returns the step matched, which the store saves
// as the new lastUsedStep, in the same transaction, with a condition that it
// is still greater than what it replaces, so two requests racing with one
// code cannot both win. Spaces in code are ignored; anything else but six
// digits fails.
func ValidateTOTP(secret, code string, now time.Time, lastUsedStep int64) (step int64, ok bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != totpDigits || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	opts := hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	cur := now.Unix() / totpPeriod
	// Every candidate is computed and compared, matched or not, so the time
	// taken does not say which step matched.
	for s := cur - totpSkew; s <= cur+totpSkew; s++ {
		if s < 0 {
			continue
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(s), opts)
		if err != nil {
			return 0, false // a secret that is not base32
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && s > lastUsedStep && !ok {
			step, ok = s, true
		}
	}
	return step, ok
}
