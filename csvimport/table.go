package csvimport

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Table is a CSV file of any layout read as Parse reads intake files
// (encodings, delimiters, quotes), left for the caller to interpret: for
// files that are not intake lists, such as the border-wall registry.
type Table struct {
	Header    []string // as written, trimmed
	Records   []Record // data rows, blank rows left out
	Errors    []*Error // rows that could not be read (misplaced quotes), in file order
	Encoding  string
	Delimiter rune
}

// Record is one data row and the physical line where it starts.
type Record struct {
	Line   int
	Fields []string
}

// ReadTable reads r as Parse reads an intake file: whole-file problems (too large,
// empty, not text, too many rows) come back as an ErrorList; a row with a
// misplaced quote is in Table.Errors and left out. Only MaxBytes and
// MaxRows of opt are used.
func ReadTable(r io.Reader, opt Options) (*Table, error) {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = DefaultMaxBytes
	}
	if opt.MaxRows <= 0 {
		opt.MaxRows = DefaultMaxRows
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
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	p := &parser{opt: opt, text: text, res: &Result{Encoding: enc, Delimiter: sniff(text)}}
	p.csv = csv.NewReader(strings.NewReader(text))
	p.csv.Comma = p.res.Delimiter
	p.csv.FieldsPerRecord = -1
	t := &Table{Encoding: enc, Delimiter: p.res.Delimiter}
	rec, err := p.read()
	var e *Error
	switch {
	case err == io.EOF:
		return nil, ErrorList{{Code: CodeEmptyFile}}
	case errors.As(err, &e):
		return nil, ErrorList{e}
	case err != nil:
		return nil, err
	}
	for i, h := range rec {
		rec[i] = strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))
	}
	t.Header = rec
	p.names = rec
	p.cols = make([]int, len(rec))
	for i := range p.cols {
		p.cols[i] = -1
	}
	for {
		rec, err := p.read()
		if err == io.EOF {
			break
		} else if errors.As(err, &e) {
			t.Errors = append(t.Errors, e)
			continue
		} else if err != nil {
			return nil, err
		}
		if blank(rec) {
			continue
		}
		line, _ := p.csv.FieldPos(0)
		if len(t.Records) >= opt.MaxRows {
			return nil, ErrorList{{Code: CodeTooManyRows, Args: []any{opt.MaxRows}}}
		}
		t.Records = append(t.Records, Record{Line: line, Fields: rec})
	}
	if len(t.Records) == 0 && len(t.Errors) == 0 {
		return nil, ErrorList{{Code: CodeNoRows}}
	}
	return t, nil
}
