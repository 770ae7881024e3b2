package ticket

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/amparo-project/amparo"
)

// Prefix starts every ticket's text, naming the format and its version.
const Prefix = "AW1."

// context is signed before the workshop and code, so that a signature
// made for anything else never verifies as a ticket.
const context = "amparo workshop ticket v1\n"

// Errors of Parse and Verify.
var (
	ErrMalformed     = errors.New("ticket: not a workshop ticket")
	ErrOtherWorkshop = errors.New("ticket: a ticket of another workshop")
	ErrForged        = errors.New("ticket: the signature does not verify")
)

// Ticket is what a ticket says: its workshop and short code.
type Ticket struct {
	WorkshopID string
	Code       string
}

func message(t Ticket) []byte { return []byte(context + t.WorkshopID + "\n" + t.Code) }

// Sign returns the text of t's QR code, signed with the workshop's key.
func Sign(key ed25519.PrivateKey, t Ticket) string {
	sig := ed25519.Sign(key, message(t))
	return Prefix + t.WorkshopID + "." + t.Code + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// Parse reads a ticket's text without checking its signature: the
// workshop it names, its code, and the signature.
func Parse(text string) (Ticket, []byte, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(text), Prefix)
	if !ok || len(text) > 200 {
		return Ticket{}, nil, ErrMalformed
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 || !isID(parts[0]) || !isCode(parts[1]) {
		return Ticket{}, nil, ErrMalformed
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Ticket{}, nil, ErrMalformed
	}
	return Ticket{WorkshopID: parts[0], Code: parts[1]}, sig, nil
}

// Verify checks text as a ticket of workshop workshopID, whose public key
// is pub: ErrMalformed, ErrOtherWorkshop or ErrForged when it is not one.
func Verify(pub ed25519.PublicKey, workshopID, text string) (Ticket, error) {
	t, sig, err := Parse(text)
	if err != nil {
		return Ticket{}, err
	}
	if t.WorkshopID != workshopID {
		return t, ErrOtherWorkshop
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, message(t), sig) {
		return t, ErrForged
	}
	return t, nil
}

func isCode(s string) bool {
	return len(s) >= 4 && len(s) <= 12 && strings.Trim(s, amparo.TicketCodeAlphabet) == ""
}

func isID(s string) bool {
	return len(s) == 32 && strings.Trim(s, "0123456789abcdef") == ""
}
