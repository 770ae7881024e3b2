package csvimport

import (
	"strings"
	"sync"

	"github.com/amparo-project/amparo/locale"
)

// Error codes. Callers and tests branch on codes; the words are the locale
// catalog's, one key "import.err.CODE" per code.
const (
	// Whole-file problems: Parse returns them and no rows.
	CodeFileTooLarge    = "file_too_large"   // Args: limit in bytes
	CodeTooManyRows     = "too_many_rows"    // Args: limit
	CodeEmptyFile       = "empty_file"       //
	CodeNoRows          = "no_rows"          // header but no data rows
	CodeNotText         = "not_text"         // binary data, not a CSV file
	CodeUnknownColumn   = "unknown_column"   // Args: header as written
	CodeMissingColumn   = "missing_column"   // Args: English and Spanish names
	CodeDuplicateColumn = "duplicate_column" // Args: header, column it repeats

	// Row problems: Parse reports every one, in Result.Errors.
	CodeBadQuote          = "bad_quote"          // Args: character position in the line
	CodeUnterminatedQuote = "unterminated_quote" //
	CodeTooManyFields     = "too_many_fields"    // Args: fields found, fields expected
	CodeTooFewFields      = "too_few_fields"     // Args: fields found, fields expected
	CodeUnnamedValue      = "unnamed_value"      // a value under a column with no header
	CodeRequired          = "required"           //
	CodeTooLong           = "too_long"           // Args: limit in characters
	CodeMultiline         = "multiline"          // a line break in a one-line value
	CodeControlChar       = "control_character"  //
	CodeBadDate           = "bad_date"           // Args: value
	CodeAmbiguousDate     = "ambiguous_date"     // Args: value, the 19xx reading, the 20xx reading
	CodeDayFirstDate      = "day_first_date"     // Args: value, the ISO date it would be day first
	CodeDateRange         = "date_out_of_range"  // Args: value
	CodeFutureDate        = "future_date"        // Args: value
	CodeBadBool           = "bad_yes_no"         // Args: value
	CodeBadSituation      = "bad_situation"      // Args: value
	CodeBadLanguage       = "bad_language"       // Args: value
	CodeBadCountry        = "bad_country"        // Args: value
	CodeBadPhone          = "bad_phone"          // Args: value
	CodeBadEmail          = "bad_email"          // Args: value
	CodeTPSCountryMissing = "tps_country_missing"
	CodeTPSCountryNotTPS  = "tps_country_not_tps"
	CodeHearingNotRemoval = "hearing_not_removal"
	CodeDuplicateRow      = "duplicate_row" // Args: the earlier line
	CodeExampleRow        = "example_row"

	// Review notes: the row is good but may be a person already listed.
	CodeLikelyDuplicate = "likely_duplicate" // Args: the earlier line
)

// Error is one problem of an import, at a place in the file. Line is the
// physical line (1-based, counting line breaks inside quoted values, as an
// editor shows it); Column the 1-based column number. Either is 0 when the
// problem is not about one line or column. Field is the column's canonical
// name (as in the English template), Header the name as written in the file.
//
// Args may hold values from the file, that is personal data: show them to
// the person importing, never log them.
type Error struct {
	Line   int
	Column int
	Field  string
	Header string
	Code   string
	Args   []any
}

// catalog is the embedded locale catalog, for callers that give none.
var catalog = sync.OnceValue(func() *locale.Catalog {
	c, err := locale.Load()
	if err != nil {
		panic("csvimport: the embedded catalog does not load: " + err.Error()) // a build defect, caught by every test
	}
	return c
})

// Error returns the message in English.
func (e *Error) Error() string { return e.Message("en") }

// Message returns where the problem is and what it is, in lang, in the
// words of the embedded catalog.
func (e *Error) Message(lang string) string { return e.Text(catalog(), catalog().Match("", lang)) }

// Text returns where the problem is and what it is, in lang, in the words
// of cat (keys "import.line", "import.column" and "import.err.CODE").
func (e *Error) Text(cat *locale.Catalog, lang string) string {
	name := e.Header
	if name == "" {
		name = e.Field
	}
	var where []string
	if e.Line > 0 {
		where = append(where, cat.T(lang, "import.line", e.Line))
	}
	if e.Column > 0 {
		where = append(where, cat.T(lang, "import.column", e.Column))
	}
	w := strings.Join(where, ", ")
	switch {
	case w == "":
		return e.ReasonText(cat, lang) // whole-file problems say what they are about
	case name != "":
		w += " (" + name + ")"
	}
	r := []rune(w)
	return strings.ToUpper(string(r[:1])) + string(r[1:]) + ": " + e.ReasonText(cat, lang)
}

// Reason returns what the problem is, without where, in lang.
func (e *Error) Reason(lang string) string {
	return e.ReasonText(catalog(), catalog().Match("", lang))
}

// ReasonText returns what the problem is, without where, in lang, in the
// words of cat; the code itself for a code the catalog does not know.
func (e *Error) ReasonText(cat *locale.Catalog, lang string) string {
	key := "import.err." + e.Code
	if !cat.Has(key) {
		return e.Code
	}
	return cat.T(lang, key, e.Args...)
}

// ErrorList is every whole-file problem found, in file order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "; ")
}
