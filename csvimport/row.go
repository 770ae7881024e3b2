package csvimport

import (
	"strings"
	"unicode/utf8"

	"github.com/amparo-project/amparo"
)

// The fictional person of the template's example row. Parse refuses a row
// with this name and date of birth: it is the example left in.
const (
	exampleName  = "Ana Ejemplo Prueba"
	exampleBirth = "1990-01-31"
)

// row checks one data record and keeps it if it is good.
func (p *parser) row(rec []string) {
	start, _ := p.csv.FieldPos(0)
	n := len(p.cols)
	if len(rec) > n {
		// Values are likely shifted: checking them would only add noise.
		line, _ := p.csv.FieldPos(n)
		p.fail(&Error{Line: line, Column: n + 1, Code: CodeTooManyFields, Args: []any{len(rec), n}})
		return
	}
	if len(rec) < n {
		p.fail(&Error{Line: start, Code: CodeTooFewFields, Args: []any{len(rec), n}})
		return
	}
	var in Intake
	var pos [numColumns]int   // field number of each column, 0 if the file lacks it
	var good [numColumns]bool // the value was read (and may be empty)
	before := len(p.res.Errors)
	for i, raw := range rec {
		c, v := p.cols[i], clean(raw)
		if c < 0 {
			if v != "" {
				p.fieldError(i, bad(CodeUnnamedValue))
			}
			continue
		}
		pos[c] = i + 1
		if pr := p.set(&in, c, v); pr != nil {
			p.fieldError(i, pr)
		} else {
			good[c] = true
		}
	}
	if good[colSituation] {
		tps := in.Situation == amparo.SituationTPS
		if tps && in.TPSCountry == "" && (pos[colTPSCountry] == 0 || good[colTPSCountry]) {
			p.columnError(start, pos, colTPSCountry, CodeTPSCountryMissing)
		} else if !tps && in.TPSCountry != "" {
			p.columnError(start, pos, colTPSCountry, CodeTPSCountryNotTPS)
		}
	}
	if !in.NextHearing.IsZero() && !in.FacingRemoval && (pos[colFacingRemoval] == 0 || good[colFacingRemoval]) {
		p.columnError(start, pos, colNextHearing, CodeHearingNotRemoval)
	}
	if in.BirthDate.String() == exampleBirth && strings.EqualFold(in.LegalName, exampleName) {
		p.res.Errors = p.res.Errors[:before]
		p.columnError(start, pos, colLegalName, CodeExampleRow)
	}
	if len(p.res.Errors) > before {
		return
	}

	name := NormalizeName(in.LegalName)
	key := p.keyer.row(name, in.BirthDate)
	if first, dup := p.keys[key]; dup {
		p.columnError(start, pos, colLegalName, CodeDuplicateRow, first)
		return
	}
	p.keys[key] = start
	nameKey := p.keyer.name(name)
	if s, ok := p.byName[nameKey]; !ok {
		p.byName[nameKey] = nameSeen{start, key}
	} else if s.key != key {
		e := &Error{Line: start, Column: pos[colLegalName], Code: CodeLikelyDuplicate, Args: []any{s.line}}
		p.name(e, pos[colLegalName]-1)
		p.res.Review = append(p.res.Review, e)
	}
	p.res.Rows = append(p.res.Rows, Row{Line: start, Key: key, NameKey: nameKey, Intake: in})
}

// clean trims a value, and takes off the apostrophe an export put before a
// value a spreadsheet would read as a formula, so exports import again.
func clean(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && v[0] == '\'' && strings.IndexByte("=+-@", v[1]) >= 0 {
		v = v[1:]
	}
	return v
}

// set reads value v of column c into in.
func (p *parser) set(in *Intake, c int, v string) *problem {
	col := &columns[c]
	if v == "" {
		if col.filled {
			return bad(CodeRequired)
		}
		return nil
	}
	if utf8.RuneCountInString(v) > col.max {
		return bad(CodeTooLong, col.max)
	}
	for _, r := range v {
		if r == '\n' && !col.multiline {
			return bad(CodeMultiline)
		} else if r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0) {
			return bad(CodeControlChar)
		}
	}
	var pr *problem
	switch c {
	case colLegalName:
		in.LegalName = v
	case colPreferredName:
		in.PreferredName = v
	case colBirthDate:
		in.BirthDate, pr = p.date(v, true)
	case colLanguage:
		in.Language, pr = p.memo(kindLanguage, v, parseLanguage)
	case colPhone:
		in.Phone, pr = parsePhone(v)
	case colEmail:
		in.Email, pr = parseEmail(v)
	case colLine1:
		in.Address.Line1 = v
	case colLine2:
		in.Address.Line2 = v
	case colCity:
		in.Address.City = v
	case colRegion:
		in.Address.Region = v
	case colPostalCode:
		in.Address.PostalCode = v
	case colCountryOfBirth:
		in.CountryOfBirth, pr = p.memo(kindCountry, v, parseCountry)
	case colSituation:
		in.Situation, pr = p.memo(kindSituation, v, parseSituation)
	case colTPSCountry:
		in.TPSCountry, pr = p.memo(kindCountry, v, parseCountry)
	case colFacingRemoval:
		in.FacingRemoval, pr = parseBool(v)
	case colNextHearing:
		in.NextHearing, pr = p.date(v, false)
	case colDetained:
		in.Detained, pr = parseBool(v)
	case colUnaccompaniedMinor:
		in.UnaccompaniedMinor, pr = parseBool(v)
	case colUnhoused:
		in.Unhoused, pr = parseBool(v)
	case colSurvivor:
		in.Survivor, pr = parseBool(v)
	case colIntakeDate:
		in.IntakeDate, pr = p.date(v, true)
	case colSourceRef:
		in.SourceRef = v
	}
	return pr
}

// memo returns parse(v), remembered: a file repeats the same few
// languages, countries and situations on every row.
func (p *parser) memo(k kind, v string, parse func(string) (string, *problem)) (string, *problem) {
	key := memoKey{k, v}
	if r, ok := p.seen[key]; ok {
		return r.v, r.pr
	}
	r, pr := parse(v)
	p.seen[key] = memoValue{r, pr}
	return r, pr
}

type memoKey struct {
	k kind
	v string
}

type memoValue struct {
	v  string
	pr *problem
}

// date reads a date; past says it cannot be after today.
func (p *parser) date(v string, past bool) (amparo.Date, *problem) {
	d, pr := parseDate(v)
	if pr == nil && past && d.After(p.today) {
		return amparo.Date{}, bad(CodeFutureDate, shown(v))
	}
	return d, pr
}

func (p *parser) fail(e *Error) { p.res.Errors = append(p.res.Errors, e) }

// fieldError records a problem of field i of the current record.
func (p *parser) fieldError(i int, pr *problem) {
	line, _ := p.csv.FieldPos(i)
	e := &Error{Line: line, Column: i + 1, Code: pr.code, Args: pr.args}
	p.name(e, i)
	p.fail(e)
}

// columnError records a problem of column c of the row starting on line
// start, which may not be in the file.
func (p *parser) columnError(start int, pos [numColumns]int, c int, code string, args ...any) {
	if i := pos[c] - 1; i >= 0 {
		p.fieldError(i, bad(code, args...))
		return
	}
	p.fail(&Error{Line: start, Field: columns[c].name, Code: code, Args: args})
}
