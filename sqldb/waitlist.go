package sqldb

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/amparo-project/amparo"
)

var _ amparo.WaitlistService = (*DB)(nil)

// waitingIn is the SQL list of the statuses of people still in line, and
// its arguments.
func waitingIn() (string, []any) {
	args := make([]any, len(amparo.WaitingStatuses))
	for i, s := range amparo.WaitingStatuses {
		args[i] = s
	}
	return "(?" + strings.Repeat(", ?", len(args)-1) + ")", args
}

// FindWaiting reads the whole line in one query, and of each person only
// what ranking and matching need. The rows come unsorted: sorting 20,000
// rows with their sealed column would spill PostgreSQL's sort to disk;
// they are sorted here instead. Decrypting is most of the work: each core
// decrypts batches of records while the rest are read, and only the
// ranking facts are decoded of each record.
func (db *DB) FindWaiting(ctx context.Context, orgID string) ([]*amparo.Applicant, error) {
	var out []*amparo.Applicant
	err := db.inTx(ctx, func(tx *Tx) error {
		scope, args, err := clientScope(tx.actor)
		if err != nil {
			return err
		}
		in, statuses := waitingIn()
		where := "WHERE " + scope + " AND c.status IN " + in
		args = append(args, statuses...)
		if orgID != "" {
			where, args = where+" AND c.organization_id = ?", append(args, orgID)
		}
		rows, err := tx.query(ctx, `SELECT c.id, c.organization_id, c.status, COALESCE(c.member_id, ''), c.wrapped_key, c.sealed, c.created_at
			FROM applicants c `+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		// The cores decrypt batches of records while the rest are read.
		open := tx.rankingFactsOpener()
		batch := make([]sealedFacts, 0, factsBatch)
		for rows.Next() {
			ap := &amparo.Applicant{}
			s := sealedFacts{ap: ap}
			if err := rows.Scan(&ap.ID, &ap.OrganizationID, &ap.Status, &ap.MemberID, &s.wrapped, &s.sealed, scanTime{&ap.CreatedAt}); err != nil {
				open(nil)
				return mapError(err)
			}
			out = append(out, ap)
			if batch = append(batch, s); len(batch) == factsBatch {
				open(batch)
				batch = make([]sealedFacts, 0, factsBatch)
			}
		}
		if err := rows.Err(); err != nil {
			open(nil)
			return mapError(err)
		}
		rows.Close()
		if len(batch) > 0 {
			open(batch)
		}
		if err := open(nil); err != nil {
			return err
		}
		if out == nil {
			out = []*amparo.Applicant{}
		}
		slices.SortFunc(out, func(a, b *amparo.Applicant) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
		})
		return tx.audit(ctx, amparo.AuditApplicantList, tx.actor.OrganizationID)
	})
	return out, err
}

// sealedFacts is an applicant read without its facts, and its sealed
// facts.
type sealedFacts struct {
	ap              *amparo.Applicant
	wrapped, sealed []byte
}

// rankingFacts is the part of an applicant's sealed facts that ranking and
// matching use, under the same JSON names: decoding into it skips the rest
// (names, contacts, consents) rather than building it.
type rankingFacts struct {
	Language       string
	Address        struct{ City string }
	CountryOfBirth string
	Situation      string
	TPSCountry     string
	FacingRemoval  bool
	NextHearing    amparo.Date
	Detained       bool

	InterpreterOK      bool
	UnaccompaniedMinor bool
	Unhoused           bool
	Survivor           bool
	IntakeDate         amparo.Date
}

func (f *rankingFacts) facts() amparo.Facts {
	return amparo.Facts{
		Personal: amparo.Personal{Language: f.Language, Address: amparo.Address{City: f.Address.City}, CountryOfBirth: f.CountryOfBirth,
			Situation: f.Situation, TPSCountry: f.TPSCountry, FacingRemoval: f.FacingRemoval, NextHearing: f.NextHearing, Detained: f.Detained},
		InterpreterOK: f.InterpreterOK, UnaccompaniedMinor: f.UnaccompaniedMinor, Unhoused: f.Unhoused, Survivor: f.Survivor,
		IntakeDate: f.IntakeDate,
	}
}

// factsBatch is how many records a core decrypts at a time.
const factsBatch = 256

// rankingFactsOpener starts a decrypter of ranking facts on each core and
// returns the function that hands it a batch of records; handed nil, it
// waits for every batch handed before and returns the first error.
func (tx *Tx) rankingFactsOpener() func([]sealedFacts) error {
	batches := make(chan []sealedFacts, runtime.GOMAXPROCS(0))
	var g errgroup.Group
	for range runtime.GOMAXPROCS(0) {
		g.Go(func() error {
			var err error
			for b := range batches {
				if err == nil { // after an error, only drain
					err = tx.openRankingFacts(b)
				}
			}
			return err
		})
	}
	done := false
	return func(b []sealedFacts) error {
		if done {
			return nil
		}
		if b != nil {
			batches <- b
			return nil
		}
		done = true
		close(batches)
		return g.Wait()
	}
}

// openRankingFacts decrypts the ranking facts of each applicant.
func (tx *Tx) openRankingFacts(ss []sealedFacts) error {
	for _, s := range ss {
		plain, err := tx.unseal(s.ap.ID, s.wrapped, s.sealed, []byte(s.ap.ID))
		if err != nil {
			return err
		}
		var f rankingFacts
		if err := decodeRankingFacts(plain, &f); err != nil {
			return err
		}
		s.ap.Facts = f.facts()
	}
	return nil
}

// FindApplicantsByID reads the applicants of ids in full, a few hundred to
// a query.
func (db *DB) FindApplicantsByID(ctx context.Context, ids []string) ([]*amparo.Applicant, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	found := make(map[string]*amparo.Applicant, len(ids))
	err := db.inTx(ctx, func(tx *Tx) error {
		scope, args, err := clientScope(tx.actor)
		if err != nil {
			return err
		}
		for chunk := range slices.Chunk(ids, 500) {
			q := "SELECT " + applicantColumns + " FROM applicants c WHERE " + scope + " AND c.id IN (?" + strings.Repeat(", ?", len(chunk)-1) + ")"
			a := slices.Clone(args)
			for _, id := range chunk {
				a = append(a, id)
			}
			as, err := tx.queryApplicants(ctx, q, a...)
			if err != nil {
				return err
			}
			for _, ap := range as {
				found[ap.ID] = ap
			}
		}
		return tx.audit(ctx, amparo.AuditApplicantList, tx.actor.OrganizationID)
	})
	if err != nil {
		return nil, err
	}
	out := make([]*amparo.Applicant, 0, len(found))
	for _, id := range ids {
		if ap := found[id]; ap != nil {
			out = append(out, ap)
			delete(found, id) // an ID asked twice is given once
		}
	}
	return out, nil
}

// FindMatchState counts matches by member and lists declined pairs, in
// two queries, reading no sealed column.
func (db *DB) FindMatchState(ctx context.Context, orgID string) (*amparo.MatchState, error) {
	st := &amparo.MatchState{Matched: map[string]int{}}
	err := db.inTx(ctx, func(tx *Tx) error {
		scope, args, err := clientScope(tx.actor)
		if err != nil {
			return err
		}
		org, orgArgs := "", []any(nil)
		if orgID != "" {
			org, orgArgs = " AND c.organization_id = ?", []any{orgID}
		}
		rows, err := tx.query(ctx, "SELECT c.member_id, COUNT(*) FROM applicants c WHERE "+scope+org+
			" AND c.status = ? AND c.member_id IS NOT NULL GROUP BY c.member_id",
			append(append(append([]any(nil), args...), orgArgs...), amparo.ApplicantMatched)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return mapError(err)
			}
			st.Matched[id] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapError(err)
		}
		in, statuses := waitingIn()
		rows, err = tx.query(ctx, "SELECT DISTINCT e.applicant_id, e.member_id FROM applicant_events e JOIN applicants c ON c.id = e.applicant_id WHERE "+
			scope+org+" AND c.status IN "+in+" AND e.member_id IS NOT NULL AND e.status <> ? ORDER BY e.applicant_id, e.member_id",
			append(append(append(append([]any(nil), args...), orgArgs...), statuses...), amparo.ApplicantMatched)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p amparo.MemberPair
			if err := rows.Scan(&p.ApplicantID, &p.MemberID); err != nil {
				return mapError(err)
			}
			st.Declined = append(st.Declined, p)
		}
		return mapError(rows.Err())
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}
