package screening

import (
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvimport"
)

// ImportOptions says how to read a registry file.
type ImportOptions struct {
	// Partial keeps the good records of a file with bad rows (and drops
	// the relations and involvements of entities whose row was bad);
	// otherwise any bad row fails the whole import.
	Partial bool
	// Retrieved is the date award data was downloaded, the retrieval date
	// of every record ImportAwardsCSV makes; today if zero.
	Retrieved amparo.Date
	// Reason is the change set's reason; "import" when empty.
	Reason string
	// MaxBytes and MaxRows bound the file; the reader's defaults if 0.
	MaxBytes int64
	MaxRows  int
}

// ImportResult is an import's change set, what was read and what was
// wrong. Apply Change with RegistryService.ApplyRegistryChange.
type ImportResult struct {
	Change  *amparo.RegistryChange
	Records int             // data rows read
	Skipped int             // rows left out by a filter (awards not about a border barrier)
	Errors  ImportErrorList // every bad row, in file order
	// Encoding and Delimiter are what the reader found.
	Encoding  string
	Delimiter rune
}

// The columns of the registry layout (docs/screening.md), in the order of
// the template. A file may have them in any order, in any case, and leave
// out those it does not use; "record" and "id" are required.
var registryColumns = []string{
	"record", "id", "kind", "name", "aliases", "previous_names",
	"uei", "duns", "ein", "ca_license", "state_registration", "address", "jurisdiction",
	"relation", "from", "to",
	"entity", "agency", "project", "location", "role", "amount", "award_date", "status", "evidence",
	"source_url", "source_document", "retrieved",
}

// RegistryColumns returns the registry layout's columns, in template order.
func RegistryColumns() []string { return slices.Clone(registryColumns) }

// listSep separates the values of a list (aliases, addresses) in a cell.
const listSep = "|"

// ImportRegistryCSV reads a whole registry in the registry layout: one
// row per entity, relation or involvement (column "record"). The change
// set replaces the registry in force (RegistryChange.Replace). Whole-file
// problems return an ImportErrorList and no result; bad rows are in
// ImportResult.Errors, and unless opt.Partial the error is that list too.
func ImportRegistryCSV(r io.Reader, opt ImportOptions) (*ImportResult, error) {
	t, err := csvimport.ReadTable(r, csvimport.Options{MaxBytes: opt.MaxBytes, MaxRows: opt.MaxRows})
	if err != nil {
		return nil, fromReader(err)
	}
	cols, err := importHeader(t, registryColumns, []string{"record", "id"})
	if err != nil {
		return nil, err
	}
	res := newResult(t, opt, true)
	b := newBuilder(res)
	for _, rec := range t.Records {
		res.Records++
		row := tableRow{rec, cols, t.Header, res}
		switch strings.ToLower(row.get("record")) {
		case "entity":
			b.entity(row)
		case "relation":
			b.relation(row)
		case "involvement":
			b.involvement(row)
		default:
			row.fail("record", "screen.registry.err.record", row.get("record"))
		}
	}
	return b.finish(opt)
}

// tableRow is one record with its columns by name.
type tableRow struct {
	rec    csvimport.Record
	cols   map[string]int
	header []string
	res    *ImportResult
}

func (r tableRow) get(col string) string {
	i, ok := r.cols[col]
	if !ok || i >= len(r.rec.Fields) {
		return ""
	}
	return strings.TrimSpace(r.rec.Fields[i])
}

func (r tableRow) list(col string) []string {
	var out []string
	for _, v := range strings.Split(r.get(col), listSep) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// fail records a problem of the row at column col ("" for the row).
func (r tableRow) fail(col, key string, args ...any) {
	e := &ImportError{Line: r.rec.Line, Key: key, Args: args}
	if i, ok := r.cols[col]; ok {
		e.Column, e.Header = i+1, r.header[i]
	}
	r.res.Errors = append(r.res.Errors, e)
}

// failErr records a record's validation error at the column its field
// names.
func (r tableRow) failErr(err error, fieldCols map[string]string) {
	key, args, field := domainError(err)
	col := field
	if c, ok := fieldCols[field]; ok {
		col = c
	}
	r.fail(col, key, args...)
}

// importHeader maps the header to the layout's columns: an unknown or
// repeated column, or a missing required one, fails the file.
func importHeader(t *csvimport.Table, layout, required []string) (map[string]int, error) {
	cols := map[string]int{}
	var errs ImportErrorList
	for i, h := range t.Header {
		k := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(h)), " ", "_")
		switch {
		case k == "":
		case !slices.Contains(layout, k):
			errs = append(errs, &ImportError{Line: 1, Column: i + 1, Header: h, Key: "screen.registry.err.unknown_column", Args: []any{h, strings.Join(layout, ", ")}})
		case hasKey(cols, k):
			errs = append(errs, &ImportError{Line: 1, Column: i + 1, Header: h, Key: "screen.registry.err.duplicate_column", Args: []any{h}})
		default:
			cols[k] = i
		}
	}
	for _, c := range required {
		if !hasKey(cols, c) {
			errs = append(errs, &ImportError{Key: "screen.registry.err.missing_column", Args: []any{c}})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return cols, nil
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func newResult(t *csvimport.Table, opt ImportOptions, replace bool) *ImportResult {
	reason := opt.Reason
	if strings.TrimSpace(reason) == "" {
		reason = "import"
	}
	res := &ImportResult{Change: &amparo.RegistryChange{Reason: reason, Replace: replace}, Encoding: t.Encoding, Delimiter: t.Delimiter}
	for _, e := range t.Errors {
		res.Errors = append(res.Errors, readerError(e))
	}
	return res
}

// builder collects a file's records and checks them as a whole.
type builder struct {
	res          *ImportResult
	entities     map[string]int // ID → line
	badEntities  map[string]bool
	relations    map[string]int
	involvements map[string]int
	relLines     map[string]tableRow
	invLines     map[string]tableRow
}

func newBuilder(res *ImportResult) *builder {
	return &builder{res: res, entities: map[string]int{}, badEntities: map[string]bool{}, relations: map[string]int{},
		involvements: map[string]int{}, relLines: map[string]tableRow{}, invLines: map[string]tableRow{}}
}

var entityFieldCols = map[string]string{"names": "name", "addresses": "address", "source": "source_url", "identifier": "uei"}

func (b *builder) entity(row tableRow) {
	e := &amparo.RegistryEntity{ID: row.get("id"), Kind: amparo.RegistryEntityKind(strings.ToLower(row.get("kind"))),
		Jurisdiction: row.get("jurisdiction"), Addresses: row.list("address")}
	if e.Kind == "" {
		e.Kind = amparo.RegistryCompany
	}
	e.Names = append(e.Names, amparo.RegistryName{Kind: amparo.RegistryNamePrimary, Name: row.get("name")})
	for _, n := range row.list("aliases") {
		e.Names = append(e.Names, amparo.RegistryName{Kind: amparo.RegistryNameAlias, Name: n})
	}
	for _, n := range row.list("previous_names") {
		e.Names = append(e.Names, amparo.RegistryName{Kind: amparo.RegistryNamePrevious, Name: n})
	}
	ok := true
	for _, k := range []amparo.RegistryIdentifierKind{amparo.RegistryUEI, amparo.RegistryDUNS, amparo.RegistryEIN, amparo.RegistryCALicense, amparo.RegistryStateReg} {
		for _, v := range row.list(string(k)) {
			id := amparo.RegistryIdentifier{Kind: k, Value: v}
			if k == amparo.RegistryStateReg {
				// Written "ST:number".
				st, num, found := strings.Cut(v, ":")
				if !found {
					row.fail(string(k), "screen.registry.err.state_registration_form", v)
					ok = false
					continue
				}
				id.State, id.Value = strings.TrimSpace(st), strings.TrimSpace(num)
			}
			if _, err := amparo.CanonicalIdentifier(k, id.Value); err != nil {
				row.failErr(err, nil)
				ok = false
				continue
			}
			e.Identifiers = append(e.Identifiers, id)
		}
	}
	src, srcOK := source(row)
	e.Source = src
	if ok && srcOK {
		if err := e.Validate(); err != nil {
			row.failErr(err, entityFieldCols)
			ok = false
		}
	}
	if first, dup := b.entities[e.ID]; dup && e.ID != "" {
		row.fail("id", "screen.registry.err.duplicate_id", e.ID, first)
		return
	}
	b.entities[e.ID] = row.rec.Line
	if !ok || !srcOK {
		b.badEntities[e.ID] = true
		return
	}
	b.res.Change.PutEntities = append(b.res.Change.PutEntities, e)
}

// source reads a row's source; a bad retrieval date is the row's problem.
func source(row tableRow) (amparo.RegistrySource, bool) {
	s := amparo.RegistrySource{URL: row.get("source_url"), Document: row.get("source_document")}
	v := row.get("retrieved")
	if v == "" {
		return s, true // Validate says it is required
	}
	d, err := amparo.ParseDate(v)
	if err != nil {
		row.fail("retrieved", "screen.registry.err.date", v)
		return s, false
	}
	s.Retrieved = d
	return s, true
}

func (b *builder) relation(row tableRow) {
	r := &amparo.RegistryRelation{ID: row.get("id"), Kind: amparo.RegistryRelationKind(strings.ToLower(row.get("relation"))),
		From: row.get("from"), To: row.get("to")}
	src, ok := source(row)
	r.Source = src
	if !ok {
		return
	}
	if err := r.Validate(); err != nil {
		row.failErr(err, map[string]string{"source": "source_url"})
		return
	}
	if first, dup := b.relations[r.ID]; dup {
		row.fail("id", "screen.registry.err.duplicate_id", r.ID, first)
		return
	}
	b.relations[r.ID] = row.rec.Line
	b.relLines[r.ID] = row
	b.res.Change.PutRelations = append(b.res.Change.PutRelations, r)
}

func (b *builder) involvement(row tableRow) {
	v := &amparo.RegistryInvolvement{ID: row.get("id"), EntityID: row.get("entity"), Agency: row.get("agency"),
		Project: row.get("project"), Location: row.get("location"), Role: amparo.RegistryRole(strings.ToLower(row.get("role"))),
		Status: amparo.RegistryAwardStatus(strings.ToLower(row.get("status"))), Evidence: row.get("evidence")}
	if v.Status == "" {
		v.Status = amparo.AwardAwarded
	}
	src, ok := source(row)
	v.Source = src
	if a := row.get("amount"); a != "" {
		c, err := ParseAwardAmount(a)
		if err != nil || c < 0 {
			row.fail("amount", "screen.registry.err.amount_text", a)
			ok = false
		}
		v.AmountCents = c
	}
	if d := row.get("award_date"); d != "" {
		t, err := amparo.ParseDate(d)
		if err != nil {
			row.fail("award_date", "screen.registry.err.date", d)
			ok = false
		}
		v.AwardDate = t
	}
	if !ok {
		return
	}
	if err := v.Validate(); err != nil {
		row.failErr(err, map[string]string{"source": "source_url"})
		return
	}
	if first, dup := b.involvements[v.ID]; dup {
		row.fail("id", "screen.registry.err.duplicate_id", v.ID, first)
		return
	}
	b.involvements[v.ID] = row.rec.Line
	b.invLines[v.ID] = row
	b.res.Change.PutInvolvements = append(b.res.Change.PutInvolvements, v)
}

// finish refuses relations and involvements that point nowhere in the
// file, sorts the errors, and applies opt.Partial.
func (b *builder) finish(opt ImportOptions) (*ImportResult, error) {
	c := b.res.Change
	keepRel := c.PutRelations[:0]
	for _, r := range c.PutRelations {
		row := b.relLines[r.ID]
		ok := true
		for _, end := range []struct{ col, id string }{{"from", r.From}, {"to", r.To}} {
			if _, known := b.entities[end.id]; !known {
				row.fail(end.col, "screen.registry.err.dangling", end.id)
				ok = false
			} else if b.badEntities[end.id] {
				row.fail(end.col, "screen.registry.err.bad_end", end.id, b.entities[end.id])
				ok = false
			}
		}
		if ok {
			keepRel = append(keepRel, r)
		}
	}
	c.PutRelations = keepRel
	keepInv := c.PutInvolvements[:0]
	for _, v := range c.PutInvolvements {
		row := b.invLines[v.ID]
		if _, known := b.entities[v.EntityID]; !known {
			row.fail("entity", "screen.registry.err.dangling", v.EntityID)
		} else if b.badEntities[v.EntityID] {
			row.fail("entity", "screen.registry.err.bad_end", v.EntityID, b.entities[v.EntityID])
		} else {
			keepInv = append(keepInv, v)
		}
	}
	c.PutInvolvements = keepInv
	sortErrors(b.res.Errors)
	if len(b.res.Errors) > 0 && !opt.Partial {
		return b.res, b.res.Errors
	}
	return b.res, nil
}

// ParseAwardAmount reads an amount in dollars ("1234.5", "$1,234.50",
// "-50.25") as integer cents, rounding half away from zero.
func ParseAwardAmount(s string) (int64, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "$")
	s = strings.ReplaceAll(s, ",", "")
	if s == "" || strings.Trim(s, "0123456789.") != "" {
		return 0, strconv.ErrSyntax
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f > 1e15 {
		return 0, strconv.ErrSyntax
	}
	c := int64(math.Round(f * 100))
	if neg {
		c = -c
	}
	return c, nil
}

// today is the date of retrieval when the options give none.
func (o ImportOptions) retrieved() amparo.Date {
	if !o.Retrieved.IsZero() {
		return o.Retrieved
	}
	now := time.Now().UTC()
	return amparo.Date{Time: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)}
}
