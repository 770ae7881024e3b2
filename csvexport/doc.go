// Package csvexport writes the CSV files Amparo exports so that opening
// them in a spreadsheet is safe: a cell that starts with =, +, -, @, a tab
// or a carriage return would be run as a formula (CSV injection), so it
// gets a leading apostrophe, which spreadsheets show as text and
// csvimport takes off again. Files start with a UTF-8 byte order mark, so
// that Excel shows accented names right, and end lines with CRLF.
//
// The package is pure: it must never import a database, HTTP or other
// network package.
package csvexport
