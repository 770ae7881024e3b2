package screening

import (
	"errors"
	"strings"
	"sync"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvimport"
	"github.com/amparo-project/amparo/locale"
)

// ImportError is one problem of an imported file: its physical line and
// column (0 when it is about the whole file), the column's header as
// written, and what is wrong as a catalog key ("screen.registry.err.*" or
// the reader's "import.err.*") with its arguments. Args may hold values
// from the file: show them to the person importing, never log them.
type ImportError struct {
	Line, Column int
	Header       string
	Key          string
	Args         []any
}

// registryCatalog is the embedded locale catalog, for Error.
var registryCatalog = sync.OnceValue(func() *locale.Catalog {
	c, err := locale.Load()
	if err != nil {
		panic("screening: the embedded catalog does not load: " + err.Error()) // a build defect, caught by every test
	}
	return c
})

// Error is the problem in English.
func (e *ImportError) Error() string { return e.Text(registryCatalog(), "en") }

// Text is where the problem is and what it is, in lang, in the words of
// cat: "Line 4, column 2 (recipient_uei): …".
func (e *ImportError) Text(cat *locale.Catalog, lang string) string {
	args := make([]any, len(e.Args))
	for i, a := range e.Args {
		if m, ok := a.(amparo.Msg); ok {
			a = cat.T(lang, m.Key, m.Args...)
		}
		args[i] = a
	}
	why := cat.T(lang, e.Key, args...)
	var where []string
	if e.Line > 0 {
		where = append(where, cat.T(lang, "import.line", e.Line))
	}
	if e.Column > 0 {
		where = append(where, cat.T(lang, "import.column", e.Column))
	}
	if len(where) == 0 {
		return why
	}
	w := strings.Join(where, ", ")
	if e.Header != "" {
		w += " (" + e.Header + ")"
	}
	r := []rune(w)
	return strings.ToUpper(string(r[:1])) + string(r[1:]) + ": " + why
}

// ImportErrorList is every problem of an import, in file order.
type ImportErrorList []*ImportError

func (l ImportErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Text is every problem in lang, one a line.
func (l ImportErrorList) Text(cat *locale.Catalog, lang string) string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Text(cat, lang)
	}
	return strings.Join(s, "\n")
}

// fromReader turns the CSV reader's errors into ImportErrors.
func fromReader(err error) error {
	var list csvimport.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	out := make(ImportErrorList, len(list))
	for i, e := range list {
		out[i] = readerError(e)
	}
	return out
}

func readerError(e *csvimport.Error) *ImportError {
	return &ImportError{Line: e.Line, Column: e.Column, Header: e.Header, Key: "import.err." + e.Code, Args: e.Args}
}

// domainError turns a record's validation error into the key and
// arguments of an ImportError, and the field it names.
func domainError(err error) (key string, args []any, field string) {
	if m, ok := amparo.ErrorMsg(err); ok {
		return m.Key, m.Args, amparo.ErrorField(err)
	}
	return "screen.registry.err.invalid", []any{amparo.ErrorMessage(err)}, amparo.ErrorField(err)
}
