package csvimport

import (
	"fmt"
	"strings"
)

// Error codes. Callers and tests branch on codes; the words are in
// messages, one entry per code and language.
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

// Error returns the message in English.
func (e *Error) Error() string { return e.Message("en") }

// Message returns where the problem is and what it is, in lang ("en" or
// "es"; anything else is English).
func (e *Error) Message(lang string) string {
	l := pick(lang)
	name := e.Header
	if name == "" {
		name = e.Field
	}
	var where []string
	if e.Line > 0 {
		where = append(where, fmt.Sprintf(l.line, e.Line))
	}
	if e.Column > 0 {
		where = append(where, fmt.Sprintf(l.col, e.Column))
	}
	w := strings.Join(where, ", ")
	switch {
	case w == "":
		return e.Reason(lang) // whole-file problems say what they are about
	case name != "":
		w += " (" + name + ")"
	}
	return strings.ToUpper(w[:1]) + w[1:] + ": " + e.Reason(lang)
}

// Reason returns what the problem is, without where, in lang.
func (e *Error) Reason(lang string) string {
	m, ok := messages[e.Code]
	if !ok {
		return e.Code
	}
	f := m[0]
	if pick(lang) == &spanish {
		f = m[1]
	}
	return fmt.Sprintf(f, e.Args...)
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

type place struct{ line, col string }

var (
	english = place{"line %d", "column %d"}
	spanish = place{"línea %d", "columna %d"}
)

func pick(lang string) *place {
	if lang == "es" || strings.HasPrefix(lang, "es-") || strings.HasPrefix(lang, "es_") {
		return &spanish
	}
	return &english
}

const (
	dateHintEN = "write it as YYYY-MM-DD (1990-03-25) or MM/DD/YYYY (03/25/1990)"
	dateHintES = "escríbala como AAAA-MM-DD (1990-03-25) o MM/DD/AAAA (03/25/1990)"
)

// messages holds the text of every code: English, then Spanish.
var messages = map[string][2]string{
	CodeFileTooLarge: {"the file is larger than the limit of %d bytes; split it into smaller files",
		"el archivo supera el límite de %d bytes; divídalo en archivos más pequeños"},
	CodeTooManyRows: {"the file has more than %d rows, the most one import takes; split it into smaller files",
		"el archivo tiene más de %d filas, el máximo de una importación; divídalo en archivos más pequeños"},
	CodeEmptyFile: {"the file is empty; start from the template",
		"el archivo está vacío; parta de la plantilla"},
	CodeNoRows: {"the file has a header line but no rows",
		"el archivo tiene la línea de encabezados pero ninguna fila"},
	CodeNotText: {"this is not a CSV text file; save the spreadsheet as CSV",
		"no es un archivo de texto CSV; guarde la hoja de cálculo como CSV"},
	CodeUnknownColumn: {"unknown column %q; rename or delete it (the template lists the columns)",
		"columna desconocida %q; cámbiele el nombre o bórrela (la plantilla lista las columnas)"},
	CodeMissingColumn: {"the required column %[1]q is missing (in Spanish: %[2]q)",
		"falta la columna obligatoria %[2]q (en inglés: %[1]q)"},
	CodeDuplicateColumn: {"column %q appears twice (also column %d)",
		"la columna %q aparece dos veces (también en la columna %d)"},
	CodeBadQuote: {"misplaced quote (\") at character %d; put the whole value in quotes and double any quote inside it",
		"comilla (\") mal puesta en el carácter %d; ponga todo el valor entre comillas y duplique las comillas internas"},
	CodeUnterminatedQuote: {"a quoted value starts on this line and its closing quote (\") is missing",
		"un valor entre comillas empieza en esta línea y le falta la comilla (\") de cierre"},
	CodeTooManyFields: {"the row has %d values but the header has %d columns; check for an unquoted comma or semicolon",
		"la fila tiene %d valores pero el encabezado tiene %d columnas; revise si hay una coma o punto y coma sin comillas"},
	CodeTooFewFields: {"the row has %d values but the header has %d columns",
		"la fila tiene %d valores pero el encabezado tiene %d columnas"},
	CodeUnnamedValue: {"this column has no header name, but the row has a value in it",
		"esta columna no tiene nombre en el encabezado, pero la fila tiene un valor en ella"},
	CodeRequired: {"is required",
		"es obligatorio"},
	CodeTooLong: {"is longer than %d characters",
		"tiene más de %d caracteres"},
	CodeMultiline: {"must be on one line",
		"debe ocupar una sola línea"},
	CodeControlChar: {"contains a control character",
		"contiene un carácter de control"},
	CodeBadDate: {"%q is not a date; " + dateHintEN,
		"%q no es una fecha; " + dateHintES},
	CodeAmbiguousDate: {"%q is ambiguous: a two-digit year could be %s or %s; write the year with four digits",
		"%q es ambigua: un año de dos cifras puede ser %s o %s; escriba el año con cuatro cifras"},
	CodeDayFirstDate: {"%q is not month/day/year; if it is day/month/year, write %s",
		"%q no es mes/día/año; si es día/mes/año, escriba %s"},
	CodeDateRange: {"%q is not a date between 1900 and 2100",
		"%q no es una fecha entre 1900 y 2100"},
	CodeFutureDate: {"%q is in the future",
		"%q es una fecha futura"},
	CodeBadBool: {"%q is not yes or no; write yes, no, sí, true, false, 1 or 0, or leave it empty for no",
		"%q no es sí o no; escriba sí, no, yes, true, false, 1 o 0, o déjelo vacío para no"},
	CodeBadSituation: {"%q is not an immigration situation; write one of daca, tps, pending_case, asylum_seeker, lpr, other, none_known, or leave it empty if it is not known",
		"%q no es una situación migratoria; escriba una de daca, tps, caso_pendiente, solicitante_de_asilo, residente_permanente, otra, ninguna_conocida, o déjela vacía si no se sabe"},
	CodeBadLanguage: {"%q is not a language; write a code such as es, en, ht, or a name such as Spanish",
		"%q no es un idioma; escriba un código como es, en, ht, o un nombre como español"},
	CodeBadCountry: {"%q is not a country; write a two-letter code such as SV or HT",
		"%q no es un país; escriba un código de dos letras como SV o HT"},
	CodeBadPhone: {"%q is not a phone number such as +1 213 555 0100",
		"%q no es un número de teléfono como +1 213 555 0100"},
	CodeBadEmail: {"%q is not an email address such as name@example.org",
		"%q no es un correo electrónico como nombre@example.org"},
	CodeTPSCountryMissing: {"is required for a TPS holder",
		"es obligatorio para quien tiene TPS"},
	CodeTPSCountryNotTPS: {"is only for TPS holders; leave it empty or set the immigration situation to tps",
		"es solo para quien tiene TPS; déjelo vacío o ponga tps en la situación migratoria"},
	CodeHearingNotRemoval: {"is only for people facing removal; leave it empty or set facing removal to yes",
		"es solo para quien enfrenta deportación; déjelo vacío o ponga sí en enfrenta deportación"},
	CodeDuplicateRow: {"the same person (same name and date of birth) as line %d; delete one row, or give each date of birth if they are different people",
		"la misma persona (mismo nombre y fecha de nacimiento) que la línea %d; borre una fila, o ponga la fecha de nacimiento de cada una si son personas distintas"},
	CodeExampleRow: {"this is the template's fictional example row; delete it",
		"esta es la fila de ejemplo ficticia de la plantilla; bórrela"},
	CodeLikelyDuplicate: {"same name as line %d with another or no date of birth: check whether it is the same person",
		"mismo nombre que la línea %d con otra fecha de nacimiento o sin ella: revise si es la misma persona"},
}
