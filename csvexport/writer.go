package csvexport

import (
	"encoding/csv"
	"io"
	"strings"
)

// Writer writes CSV records with every cell neutralized.
type Writer struct {
	bom   io.Writer // the destination until the byte order mark is written
	csv   *csv.Writer
	row   []string
	err   error
	wrote bool
}

// NewWriter returns a Writer to w. Call Flush when done.
func NewWriter(w io.Writer) *Writer {
	c := csv.NewWriter(w)
	c.UseCRLF = true
	return &Writer{bom: w, csv: c}
}

// Write writes one record, neutralizing its cells; record is not changed.
func (w *Writer) Write(record []string) error {
	if w.err != nil {
		return w.err
	}
	if !w.wrote {
		w.wrote = true
		if _, err := io.WriteString(w.bom, "\uFEFF"); err != nil {
			w.err = err
			return err
		}
	}
	w.row = w.row[:0]
	for _, cell := range record {
		w.row = append(w.row, Neutralize(cell))
	}
	return w.csv.Write(w.row)
}

// WriteAll writes records and flushes.
func (w *Writer) WriteAll(records [][]string) error {
	for _, r := range records {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	return w.Flush()
}

// Flush writes any buffered data and returns the first error of any
// write.
func (w *Writer) Flush() error {
	w.csv.Flush()
	if w.err != nil {
		return w.err
	}
	return w.csv.Error()
}

// Neutralize returns cell with a leading apostrophe if a spreadsheet would
// read it as a formula: if it starts with =, +, -, @, a tab or a carriage
// return (OWASP's list). A phone number such as +1 213 555 0100 gets one
// too, and shows as text, as it should. A negative decimal number alone
// ("-200.00", a ledger's reversing entry) is no formula and stays a number.
func Neutralize(cell string) string {
	if cell != "" && strings.IndexByte("=+-@\t\r", cell[0]) >= 0 && !negativeNumber(cell) {
		return "'" + cell
	}
	return cell
}

// negativeNumber reports whether s is "-" and digits, with at most one
// decimal point between digits: "-200", "-200.05".
func negativeNumber(s string) bool {
	whole, frac, dot := strings.Cut(s[1:], ".")
	return len(s) > 1 && s[0] == '-' && digits(whole) && (!dot || digits(frac))
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
