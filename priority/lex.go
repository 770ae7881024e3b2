package priority

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/amparo-project/amparo/locale"
)

// ParseError is one problem in a policy or TPS table: where it is (line and
// column, both from 1, columns counted in characters) and what is wrong.
type ParseError struct {
	Line, Col int
	Msg       string  // in English, for logs and the command line
	Why       Message // the catalog's words ("policy.err.*"), for a person
}

// perr is a ParseError at line and column saying m.
func perr(line, col int, m Message) *ParseError {
	return &ParseError{line, col, m.Text(catalog(), "en"), m}
}

// Text is the problem, where it is and what is wrong, in lang, in the
// words of cat.
func (e *ParseError) Text(cat *locale.Catalog, lang string) string {
	return msg("policy.err.at", e.Line, e.Col, e.Why).Text(cat, lang)
}

// Text is every problem in lang, in the words of cat, one a line.
func (l ErrorList) Text(cat *locale.Catalog, lang string) string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Text(cat, lang)
	}
	return strings.Join(s, "\n")
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// ErrorList is every problem found in one pass over a source, in order.
type ErrorList []*ParseError

func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// maxErrors bounds the list so a pasted binary file does not produce a
// megabyte of complaints.
const maxErrors = 25

// maxSource bounds a policy or table: both are meant to be read by people.
const maxSource = 64 << 10

type tokKind int

const (
	tokWord   tokKind = iota // a run of characters other than space, quote, parenthesis or '#'
	tokString                // "double-quoted", with \" and \\ escapes
	tokLParen
	tokRParen
)

type token struct {
	kind tokKind
	text string // the word, or the unquoted string
	col  int    // where it starts
	end  int    // the column just after it
}

// lexLine splits one line (without its newline) into tokens; a '#' outside a
// string starts a comment.
func lexLine(line string, lineNo int) ([]token, *ParseError) {
	var toks []token
	col := 1
	i := 0
	for i < len(line) {
		r, size := utf8.DecodeRuneInString(line[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return nil, perr(lineNo, col, msg("policy.err.utf8"))
		case r == ' ' || r == '\t' || r == '\r':
			i += size
			col++
		case r == '#':
			return toks, nil
		case r == '(' || r == ')':
			k := tokLParen
			if r == ')' {
				k = tokRParen
			}
			toks = append(toks, token{k, string(r), col, col + 1})
			i += size
			col++
		case r == '"':
			start := col
			i++
			col++
			var b strings.Builder
			closed := false
			for i < len(line) {
				r, size = utf8.DecodeRuneInString(line[i:])
				if r == utf8.RuneError && size == 1 {
					return nil, perr(lineNo, col, msg("policy.err.utf8"))
				}
				i += size
				col++
				if r == '"' {
					closed = true
					break
				}
				if r == '\\' {
					if i >= len(line) || (line[i] != '"' && line[i] != '\\') {
						return nil, perr(lineNo, col-1, msg("policy.err.backslash"))
					}
					r = rune(line[i])
					i++
					col++
				}
				if r < ' ' && r != '\t' {
					return nil, perr(lineNo, col-1, msg("policy.err.quoted_control"))
				}
				b.WriteRune(r)
			}
			if !closed {
				return nil, perr(lineNo, start, msg("policy.err.quote_open"))
			}
			toks = append(toks, token{tokString, b.String(), start, col})
		default:
			if r < ' ' || r == 0x7f {
				return nil, perr(lineNo, col, msg("policy.err.control", r))
			}
			start, j := col, i
			for j < len(line) {
				r, size = utf8.DecodeRuneInString(line[j:])
				if r == ' ' || r == '\t' || r == '\r' || r == '#' || r == '"' || r == '(' || r == ')' || r < ' ' || r == 0x7f || (r == utf8.RuneError && size == 1) {
					break
				}
				j += size
				col++
			}
			toks = append(toks, token{tokWord, line[i:j], start, col})
			i = j
		}
	}
	return toks, nil
}

// eachLine calls fn for every line of src with its tokens; lexing errors are
// collected in errs and the line skipped.
func eachLine(src string, errs *ErrorList, fn func(lineNo int, toks []token)) {
	if len(src) > maxSource {
		*errs = append(*errs, perr(1, 1, msg("policy.err.too_long", len(src), maxSource)))
		return
	}
	src = strings.TrimPrefix(src, "\uFEFF")
	for n, line := range strings.Split(src, "\n") {
		if len(*errs) >= maxErrors {
			return
		}
		toks, err := lexLine(line, n+1)
		if err != nil {
			*errs = append(*errs, err)
			continue
		}
		if len(toks) > 0 {
			fn(n+1, toks)
		}
	}
}

// quote writes s as a quoted text of the format.
func quote(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
