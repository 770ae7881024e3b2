package amparo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Error codes. Callers branch on codes, never on messages; the web layer maps
// each code to an HTTP status in one place.
const (
	ECONFLICT     = "conflict"
	EINTERNAL     = "internal"
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	// EUNAVAILABLE: the store cannot save now (its disk is full); nothing
	// was changed, and the same request succeeds once it can.
	EUNAVAILABLE = "unavailable"
)

// Error is an application error: a code, for validation errors the field
// that was wrong, a message in English for logs and the command line, and
// for the errors a person reads the catalog key of the message and its
// arguments, translated once at the edge in the reader's language
// (Miniflux's localized error).
type Error struct {
	Code    string
	Field   string
	Message string // English, safe to show; for logs and the CLI
	Key     string // the locale catalog's key of the message; "" if it has none yet
	Args    []any  // the key's arguments
}

// Msg is a catalog message not yet in any language: a key of the locale
// catalog and its arguments, for a reader to read in theirs.
type Msg struct {
	Key  string
	Args []any
}

// UnmarshalJSON reads a stored message with its arguments' types: a whole
// number as an int (for the catalog's %d), another as a float64, an
// object as a Msg, so that a message read back says what it said.
func (m *Msg) UnmarshalJSON(b []byte) error {
	var raw struct {
		Key  string
		Args []json.RawMessage
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	m.Key, m.Args = raw.Key, nil
	for _, a := range raw.Args {
		var v any
		switch a = bytes.TrimSpace(a); {
		case len(a) > 0 && a[0] == '{':
			var sub Msg
			if err := json.Unmarshal(a, &sub); err != nil {
				return err
			}
			v = sub
		default:
			d := json.NewDecoder(bytes.NewReader(a))
			d.UseNumber()
			if err := d.Decode(&v); err != nil {
				return err
			}
			if n, ok := v.(json.Number); ok {
				if i, err := strconv.Atoi(n.String()); err == nil {
					v = i
				} else if v, err = n.Float64(); err != nil {
					return err
				}
			}
		}
		m.Args = append(m.Args, v)
	}
	return nil
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("amparo: %s: %s", e.Field, e.Message)
	}
	return "amparo: " + e.Message
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming the field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Localize sets the catalog key of e's message and its arguments, and
// returns e: Errorf(ECONFLICT, "...").Localize("letter.err.issued").
func (e *Error) Localize(key string, args ...any) *Error {
	e.Key, e.Args = key, args
	return e
}

// ErrorMsg returns the catalog key and arguments of an *Error in err's
// chain, and ok false when it has none.
func ErrorMsg(err error) (m Msg, ok bool) {
	var e *Error
	if errors.As(err, &e) && e.Key != "" {
		return Msg{e.Key, e.Args}, true
	}
	return Msg{}, false
}

// ErrorCode returns the code of an *Error in err's chain, EINTERNAL for any
// other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorField returns the field named by an *Error in err's chain.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorMessage returns the user-safe message of an *Error in err's chain, and
// a generic message for any other error so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
