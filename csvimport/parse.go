package csvimport

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// Default limits.
const (
	DefaultMaxBytes = 32 << 20
	DefaultMaxRows  = 200_000
)

// Options set the limits of an import. The zero value is usable.
type Options struct {
	MaxBytes  int64     // largest file; DefaultMaxBytes if 0
	MaxRows   int       // most data rows; DefaultMaxRows if 0
	Now       time.Time // today, for dates that cannot be in the future; time.Now() if zero
	KeySecret []byte    // the secret of RowKey and NameKey
	// Catalog gives the headers of every language's template; the
	// embedded catalog if nil.
	Catalog *locale.Catalog
}

func (o Options) catalog() *locale.Catalog {
	if o.Catalog != nil {
		return o.Catalog
	}
	return catalog()
}

// Intake is what one row says about a person.
type Intake struct {
	LegalName      string
	PreferredName  string
	BirthDate      amparo.Date // zero when not known
	Language       string      // BCP 47, e.g. "es"
	Phone          string
	Email          string
	Address        amparo.Address
	CountryOfBirth string // ISO 3166-1 alpha-2

	Situation          string // one of amparo.Situations, or amparo.SituationUnknown when not given
	TPSCountry         string // ISO 3166-1 alpha-2, for TPS holders
	FacingRemoval      bool
	NextHearing        amparo.Date
	Detained           bool
	UnaccompaniedMinor bool
	Unhoused           bool
	Survivor           bool // of violence or trafficking

	IntakeDate amparo.Date
	SourceRef  string // the row's reference in the system it came from
}

// Row is one good row of the file.
type Row struct {
	Line    int    // physical line where the row starts
	Key     string // RowKey of the legal name and date of birth
	NameKey string // NameKey of the legal name
	Intake
}

// Result is what Parse read.
type Result struct {
	Rows      []Row    // the good rows, in file order
	Errors    []*Error // every problem of every other row, in file order
	Review    []*Error // good rows that may be a person listed earlier (CodeLikelyDuplicate)
	Records   int      // data rows read, good or bad; blank rows are not counted
	Encoding  string   // one of the Encoding constants
	Delimiter rune     // ',', ';' or '\t'
}

// Parse reads an intake CSV file and checks every row. Problems of the file
// as a whole (too large, empty, unknown or missing columns, too many rows)
// end the import: Parse returns them as an ErrorList, and no Result. Any
// other error is a read error. Otherwise every problem of every row is in
// Result.Errors, and Result.Rows holds the rows without problems; importing
// all or nothing is the caller's choice.
func Parse(r io.Reader, opt Options) (*Result, error) {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	if opt.MaxRows <= 0 {
		opt.MaxRows = DefaultMaxRows
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	data, err := io.ReadAll(io.LimitReader(r, opt.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("csvimport: read: %w", err)
	}
	if int64(len(data)) > opt.MaxBytes {
		return nil, ErrorList{{Code: CodeFileTooLarge, Args: []any{opt.MaxBytes}}}
	}
	text, enc := decode(data)
	if strings.IndexByte(text, 0) >= 0 {
		return nil, ErrorList{{Code: CodeNotText}}
	}
	if !strings.Contains(text, "\n") {
		// Classic Mac OS ended lines with a lone CR.
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	p := &parser{
		opt:    opt,
		text:   text,
		res:    &Result{Encoding: enc, Delimiter: sniff(text)},
		today:  time.Date(opt.Now.Year(), opt.Now.Month(), opt.Now.Day(), 0, 0, 0, 0, time.UTC),
		keyer:  newKeyer(opt.KeySecret),
		keys:   make(map[string]int),
		seen:   make(map[memoKey]memoValue),
		byName: make(map[string]nameSeen),
	}
	p.csv = csv.NewReader(strings.NewReader(text))
	p.csv.Comma = p.res.Delimiter
	p.csv.FieldsPerRecord = -1
	p.csv.ReuseRecord = true
	if err := p.header(); err != nil {
		return nil, err
	}
	if err := p.rows(); err != nil {
		return nil, err
	}
	return p.res, nil
}

type nameSeen struct {
	line int
	key  string
}

type parser struct {
	opt   Options
	text  string
	csv   *csv.Reader
	res   *Result
	today time.Time

	names  []string // header as written, by field
	cols   []int    // column of each field; -1 for a field without a header
	lines  []int    // offsets of line starts, built on the first quote error
	keyer  *keyer
	keys   map[string]int      // RowKey → line, of good rows
	byName map[string]nameSeen // NameKey → first good row with it
	seen   map[memoKey]memoValue
}

// header reads the header line and maps its fields to columns.
func (p *parser) header() error {
	rec, err := p.read()
	var e *Error
	if err == io.EOF {
		return ErrorList{{Code: CodeEmptyFile}}
	} else if errors.As(err, &e) {
		return ErrorList{e}
	} else if err != nil {
		return err
	}
	var errs ErrorList
	seen := make(map[int]int) // column → field number
	p.cols = make([]int, len(rec))
	p.names = make([]string, len(rec))
	for i, h := range rec {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
		p.names[i] = h
		line, _ := p.csv.FieldPos(i)
		c := -1
		if h != "" {
			if c = matchHeaderIn(p.opt.catalog(), h); c < 0 {
				errs = append(errs, &Error{Line: line, Column: i + 1, Header: h, Code: CodeUnknownColumn, Args: []any{shown(h)}})
			} else if j, dup := seen[c]; dup {
				errs = append(errs, &Error{Line: line, Column: i + 1, Field: columns[c].name, Header: h, Code: CodeDuplicateColumn, Args: []any{shown(h), j}})
			} else {
				seen[c] = i + 1
			}
		}
		p.cols[i] = c
	}
	for c, col := range columns {
		if _, ok := seen[c]; col.present && !ok {
			errs = append(errs, &Error{Field: col.name, Code: CodeMissingColumn, Args: []any{col.name, p.opt.catalog().T("es", "import.column."+col.name)}})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// rows reads and checks every data row.
func (p *parser) rows() error {
	for {
		rec, err := p.read()
		var e *Error
		if err == io.EOF {
			break
		} else if errors.As(err, &e) {
			p.res.Errors = append(p.res.Errors, e)
			continue
		} else if err != nil {
			return err
		}
		if blank(rec) {
			continue
		}
		if p.res.Records++; p.res.Records > p.opt.MaxRows {
			return ErrorList{{Code: CodeTooManyRows, Args: []any{p.opt.MaxRows}}}
		}
		p.row(rec)
	}
	if p.res.Records == 0 && len(p.res.Errors) == 0 {
		return ErrorList{{Code: CodeNoRows}}
	}
	// A row's problems across columns come after those of single values.
	slices.SortStableFunc(p.res.Errors, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	return nil
}

// read returns the next record, io.EOF, or an *Error for a misplaced quote.
func (p *parser) read() ([]string, error) {
	rec, err := p.csv.Read()
	var pe *csv.ParseError
	if err == nil || err == io.EOF || !errors.As(err, &pe) {
		return rec, err
	}
	line := p.line(pe.Line)
	at := min(max(pe.Column-1, 0), len(line))
	if pe.Err == csv.ErrQuote && p.csv.InputOffset() == int64(len(p.text)) && at >= len(strings.TrimRight(line, "\r\n")) {
		// The quote opened on StartLine runs to the end of the file.
		e := &Error{Line: pe.StartLine, Code: CodeUnterminatedQuote}
		if _, open, quoted := p.fields(p.line(pe.StartLine)); quoted {
			e.Column = open + 1
			p.name(e, open)
		}
		return nil, e
	}
	e := &Error{Line: pe.Line, Code: CodeBadQuote, Args: []any{utf8.RuneCountInString(line[:at]) + 1}}
	if pe.Line == pe.StartLine {
		field, _, _ := p.fields(line[:at])
		e.Column = field + 1
		p.name(e, field)
	}
	return nil, e
}

// fields counts the delimiters outside quotes in s, the start of a line:
// s ends in field number field (0-based). If s ends inside quotes, open is
// the field where they opened.
func (p *parser) fields(s string) (field, open int, quoted bool) {
	for _, c := range s {
		if c == '"' {
			if !quoted {
				open = field
			}
			quoted = !quoted
		} else if c == p.csv.Comma && !quoted {
			field++
		}
	}
	return field, open, quoted
}

// line returns the text of physical line n (1-based).
func (p *parser) line(n int) string {
	if p.lines == nil {
		p.lines = []int{0}
		for i := 0; i < len(p.text); i++ {
			if p.text[i] == '\n' {
				p.lines = append(p.lines, i+1)
			}
		}
	}
	if n < 1 || n > len(p.lines) {
		return ""
	}
	end := len(p.text)
	if n < len(p.lines) {
		end = p.lines[n]
	}
	return p.text[p.lines[n-1]:end]
}

// name sets the field and header of an error about field i.
func (p *parser) name(e *Error, i int) {
	if i < len(p.cols) {
		e.Header = p.names[i]
		if c := p.cols[i]; c >= 0 {
			e.Field = columns[c].name
		}
	}
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}
