package screening

import (
	"cmp"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvimport"
)

// The columns of USAspending.gov's contract prime-transaction download
// that ImportAwardsCSV reads; the file's other columns (it has some three
// hundred) are ignored.
var awardColumns = []string{
	"contract_transaction_unique_key", "award_id_piid", "usaspending_permalink",
	"recipient_name", "recipient_uei", "recipient_duns", "recipient_parent_name", "recipient_parent_uei",
	"awarding_agency_name", "awarding_sub_agency_name", "awarding_office_name",
	"transaction_description", "prime_award_base_transaction_description",
	"action_date", "period_of_performance_start_date",
	"federal_action_obligation", "total_dollars_obligated",
	"primary_place_of_performance_city_name", "primary_place_of_performance_state_code",
	"recipient_address_line_1", "recipient_city_name", "recipient_state_code",
}

// awardAgency matches the awarding agencies of border-barrier contracts:
// CBP, and the Army Corps of Engineers, which contracted the 2019–2021
// barrier for DHS and under the Defense Department's transfers.
var awardAgency = regexp.MustCompile(`(?i)customs and border protection|\bcbp\b|corps of engineers|\busace\b|department of the army`)

// awardWords matches the descriptions of border-barrier work.
var awardWords = regexp.MustCompile(`(?i)\b(border (wall|barrier|fence|fencing|infrastructure)|wall system|barrier (wall|system|replacement)|bollard|pedestrian (fence|fencing|barrier)|secondary (fence|barrier)|levee wall|rgv|rio grande valley|wall prototype|prototype wall|primary fence|vehicle barrier)\b`)

// IsBorderBarrierAward reports whether an award, by its agencies and its
// description, is border-barrier work: an agency of awardAgency and a
// description with one of awardWords.
func IsBorderBarrierAward(agency, subAgency, office, description string) bool {
	return awardAgency.MatchString(agency+" | "+subAgency+" | "+office) && awardWords.MatchString(description)
}

// ImportAwardsCSV reads the contract-award CSV of USAspending.gov's bulk
// download (prime transactions, in any column order), keeps the
// border-barrier awards (IsBorderBarrierAward) and returns a change set
// that adds to the registry in force: each recipient and its parent as
// entities (ID "uei-" and the UEI in lower case), the parent relation,
// and one involvement per award and recipient (role prime; the amount is
// the sum of the transactions' obligations, at least 0; the date the
// earliest action date). Bad rows are reported by line and column; unless
// opt.Partial the error is their list.
func ImportAwardsCSV(r io.Reader, opt ImportOptions) (*ImportResult, error) {
	t, err := csvimport.ReadTable(r, csvimport.Options{MaxBytes: opt.MaxBytes, MaxRows: opt.MaxRows})
	if err != nil {
		return nil, fromReader(err)
	}
	cols, err := awardHeader(t)
	if err != nil {
		return nil, err
	}
	res := newResult(t, opt, false)
	b := newBuilder(res)
	retrieved := opt.retrieved()
	entities := map[string]*amparo.RegistryEntity{}
	awards := map[string]*amparo.RegistryInvolvement{}
	var order []string
	for _, rec := range t.Records {
		res.Records++
		row := tableRow{rec, cols, t.Header, res}
		desc := row.get("transaction_description")
		if desc == "" {
			desc = row.get("prime_award_base_transaction_description")
		}
		if !IsBorderBarrierAward(row.get("awarding_agency_name"), row.get("awarding_sub_agency_name"), row.get("awarding_office_name"), desc) {
			res.Skipped++
			continue
		}
		before := len(res.Errors)
		uei := awardUEI(row, "recipient_uei")
		parentUEI := awardUEI(row, "recipient_parent_uei")
		name := row.get("recipient_name")
		if name == "" {
			row.fail("recipient_name", "screen.registry.err.required", "recipient_name")
		}
		if row.get("recipient_uei") == "" {
			row.fail("recipient_uei", "screen.registry.err.required", "recipient_uei")
		}
		piid := row.get("award_id_piid")
		if piid == "" {
			row.fail("award_id_piid", "screen.registry.err.required", "award_id_piid")
		}
		var duns string
		if v := row.get("recipient_duns"); v != "" {
			d, err := amparo.CanonicalIdentifier(amparo.RegistryDUNS, v)
			if err != nil {
				row.failErr(err, map[string]string{"duns": "recipient_duns"})
			}
			duns = d
		}
		date := row.get("action_date")
		if date == "" {
			date = row.get("period_of_performance_start_date")
		}
		day, err := amparo.ParseDate(date)
		if err != nil {
			row.fail("action_date", "screen.registry.err.date", date)
		}
		obligation := row.get("federal_action_obligation")
		if obligation == "" {
			obligation = row.get("total_dollars_obligated")
		}
		var cents int64
		if obligation != "" {
			if cents, err = ParseAwardAmount(obligation); err != nil {
				row.fail("federal_action_obligation", "screen.registry.err.amount_text", obligation)
			}
		}
		if len(res.Errors) > before {
			continue
		}
		src := amparo.RegistrySource{URL: row.get("usaspending_permalink"), Document: "USAspending.gov contract award " + piid, Retrieved: retrieved}
		if !strings.HasPrefix(src.URL, "https://") {
			src.URL = ""
		}
		id := "uei-" + strings.ToLower(uei)
		e := entities[id]
		if e == nil {
			e = &amparo.RegistryEntity{ID: id, Kind: amparo.RegistryCompany, Names: []amparo.RegistryName{{Kind: amparo.RegistryNamePrimary, Name: name}},
				Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: uei}}, Source: src}
			if duns != "" {
				e.Identifiers = append(e.Identifiers, amparo.RegistryIdentifier{Kind: amparo.RegistryDUNS, Value: duns})
			}
			if a := strings.Join(nonEmpty(row.get("recipient_address_line_1"), row.get("recipient_city_name"), row.get("recipient_state_code")), ", "); a != "" {
				e.Addresses = []string{a}
			}
			entities[id] = e
			b.entities[id] = rec.Line
			order = append(order, id)
		} else if !hasName(e, name) {
			e.Names = append(e.Names, amparo.RegistryName{Kind: amparo.RegistryNameAlias, Name: name})
		}
		if parentUEI != "" && parentUEI != uei {
			pid := "uei-" + strings.ToLower(parentUEI)
			if entities[pid] == nil {
				pname := row.get("recipient_parent_name")
				if pname == "" {
					pname = parentUEI
				}
				entities[pid] = &amparo.RegistryEntity{ID: pid, Kind: amparo.RegistryCompany, Names: []amparo.RegistryName{{Kind: amparo.RegistryNamePrimary, Name: pname}},
					Identifiers: []amparo.RegistryIdentifier{{Kind: amparo.RegistryUEI, Value: parentUEI}}, Source: src}
				b.entities[pid] = rec.Line
				order = append(order, pid)
			}
			rid := pid + "-parent-of-" + strings.ToLower(uei)
			if _, seen := b.relations[rid]; !seen {
				b.relations[rid] = rec.Line
				res.Change.PutRelations = append(res.Change.PutRelations, &amparo.RegistryRelation{ID: rid, Kind: amparo.RegistryParentOf, From: pid, To: id, Source: src})
			}
		}
		aid := "award-" + awardSlug(piid) + "-" + strings.ToLower(uei)
		inv := awards[aid]
		if inv == nil {
			agency := row.get("awarding_sub_agency_name")
			if agency == "" {
				agency = row.get("awarding_agency_name")
			}
			if agency == "" {
				agency = row.get("awarding_office_name")
			}
			inv = &amparo.RegistryInvolvement{ID: aid, EntityID: id, Agency: agency, Project: clip(desc, 300), Role: amparo.RegistryPrime,
				AwardDate: day, Status: amparo.AwardAwarded, Evidence: "PIID " + piid, Source: src,
				Location: strings.Join(nonEmpty(row.get("primary_place_of_performance_city_name"), row.get("primary_place_of_performance_state_code")), ", ")}
			awards[aid] = inv
			b.involvements[aid] = rec.Line
			res.Change.PutInvolvements = append(res.Change.PutInvolvements, inv)
		}
		inv.AmountCents += cents
		if day.Before(inv.AwardDate.Time) {
			inv.AwardDate = day
		}
	}
	for _, inv := range res.Change.PutInvolvements {
		inv.AmountCents = max(inv.AmountCents, 0) // deobligations may outweigh a small award
	}
	valid := map[string]bool{}
	for _, id := range order {
		e := entities[id]
		if err := e.Validate(); err != nil {
			key, args, _ := domainError(err)
			res.Errors = append(res.Errors, &ImportError{Line: b.entities[id], Key: key, Args: args})
			continue
		}
		valid[id] = true
		res.Change.PutEntities = append(res.Change.PutEntities, e)
	}
	keepRel := res.Change.PutRelations[:0]
	for _, r := range res.Change.PutRelations {
		if valid[r.From] && valid[r.To] {
			keepRel = append(keepRel, r)
		}
	}
	res.Change.PutRelations = keepRel
	keepInv := res.Change.PutInvolvements[:0]
	for _, inv := range res.Change.PutInvolvements {
		if err := inv.Validate(); err != nil {
			key, args, _ := domainError(err)
			res.Errors = append(res.Errors, &ImportError{Line: b.involvements[inv.ID], Key: key, Args: args})
		} else if valid[inv.EntityID] {
			keepInv = append(keepInv, inv)
		}
	}
	res.Change.PutInvolvements = keepInv
	if len(res.Errors) > 0 && !opt.Partial {
		return res, sortErrors(res.Errors)
	}
	sortErrors(res.Errors)
	return res, nil
}

// awardUEI reads a UEI column: "" when empty; a bad one is the row's
// problem.
func awardUEI(row tableRow, col string) string {
	v := row.get(col)
	if v == "" {
		return ""
	}
	u, err := amparo.CanonicalIdentifier(amparo.RegistryUEI, v)
	if err != nil {
		row.failErr(err, map[string]string{"uei": col})
		return ""
	}
	return u
}

func awardHeader(t *csvimport.Table) (map[string]int, error) {
	cols := map[string]int{}
	for i, h := range t.Header {
		k := strings.ToLower(strings.TrimSpace(h))
		if _, dup := cols[k]; !dup && k != "" {
			cols[k] = i
		}
	}
	var errs ImportErrorList
	for _, c := range []string{"recipient_name", "recipient_uei", "award_id_piid", "awarding_agency_name", "action_date"} {
		if _, ok := cols[c]; !ok {
			errs = append(errs, &ImportError{Key: "screen.registry.err.missing_column", Args: []any{c}})
		}
	}
	if _, ok := cols["transaction_description"]; !ok {
		if _, ok := cols["prime_award_base_transaction_description"]; !ok {
			errs = append(errs, &ImportError{Key: "screen.registry.err.missing_column", Args: []any{"transaction_description"}})
		}
	}
	if _, ok := cols["federal_action_obligation"]; !ok {
		if _, ok := cols["total_dollars_obligated"]; !ok {
			errs = append(errs, &ImportError{Key: "screen.registry.err.missing_column", Args: []any{"federal_action_obligation"}})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return cols, nil
}

func sortErrors(l ImportErrorList) ImportErrorList {
	slices.SortStableFunc(l, func(x, y *ImportError) int {
		return cmp.Or(cmp.Compare(x.Line, y.Line), cmp.Compare(x.Column, y.Column))
	})
	return l
}

func nonEmpty(vs ...string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func hasName(e *amparo.RegistryEntity, name string) bool {
	for _, n := range e.Names {
		if strings.EqualFold(n.Name, name) {
			return true
		}
	}
	return false
}

// awardSlug is a PIID as an ID: lower case, anything else than letters
// and digits as '-'.
func awardSlug(piid string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(piid) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	s := b.String()
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

// clip cuts s to n characters.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
