package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"

	"github.com/amparo-project/amparo"
)

// Devices are device cookies (OWASP, "Slow Down Online Guessing Attacks
// with Device Cookies"): a browser that has signed in to an account
// carries a token bound to that account, which only the server can make.
// Its later attempts are throttled as that device's own, apart from the
// account's lockout. An attacker guessing one account's password from many
// addresses holds no such token: the lockout they cause holds back every
// browser that never signed in to the account, but not the person's own
// (see the figure in TestSignIn_UnderAttack). A stolen device token is
// throttled like an account of its own: it gives its thief no more than
// the account's limit again.
type Devices struct {
	// MAC is a keyed MAC only the server holds (the master key's).
	MAC func(purpose string, data []byte) []byte
}

const deviceIDBytes = 16

// Issue returns a new device token for a browser that just signed in to
// email's account: a random ID and its MAC with the account, base64url.
func (d *Devices) Issue(email string) string {
	id := make([]byte, deviceIDBytes, 2*deviceIDBytes)
	rand.Read(id)
	return tokenEncoding.EncodeToString(append(id, d.sum(email, id)...))
}

// device is the ID of token if it is one Issue made for email's account.
func (d *Devices) device(email, token string) (string, bool) {
	if d == nil || token == "" || len(token) > 64 {
		return "", false
	}
	b, err := tokenEncoding.DecodeString(token)
	if err != nil || len(b) != 2*deviceIDBytes || !hmac.Equal(b[deviceIDBytes:], d.sum(email, b[:deviceIDBytes])) {
		return "", false
	}
	return hex.EncodeToString(b[:deviceIDBytes]), true
}

func (d *Devices) sum(email string, id []byte) []byte {
	return d.MAC("sign-in device", append([]byte(amparo.NormalizeEmail(email)+"\x00"), id...))[:deviceIDBytes]
}
