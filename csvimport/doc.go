// Package csvimport reads intake CSV files as people really have them:
// UTF-8 with or without a byte order mark, Windows-1252 (Latin-1), UTF-16
// from Excel, CRLF or CR line ends, line breaks inside quoted values, comma,
// semicolon or tab delimiters (sniffed from the header line), headers in
// English or Spanish in any case and with or without accents, dates as
// YYYY-MM-DD or MM/DD/YYYY.
//
// Parse checks every row in one pass and reports every problem with its
// physical line, column and a code; Error.Text renders it in any language
// of the locale catalog (keys "import.*"), as TemplateIn writes the
// template's headers. Good rows come out as Intake values with a stable RowKey (of the
// normalized name and date of birth), so that importing a file again adds
// nobody, and rows with a name seen before but another date of birth are
// flagged for review. Template returns the downloadable template.
//
// The package is pure: it must never import a database, HTTP or other
// network package. Storing the rows, all or nothing or only the good ones,
// is the caller's job.
package csvimport
