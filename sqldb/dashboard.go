package sqldb

import (
	"context"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
)

var _ amparo.DashboardService = (*DB)(nil)

// The dashboards' numbers: every one an aggregate (COUNT with CASE, one
// query a table), scoped like the lists they link to. No row is read
// whole and nothing is decrypted, so they cost the same for 50 records
// or 50,000 and are not audited as reads of personal data.

// WorkCounts counts the work of the actor's organization; of a member,
// the letters naming them.
func (db *DB) WorkCounts(ctx context.Context, now time.Time) (*amparo.WorkCounts, error) {
	var c amparo.WorkCounts
	err := db.inTx(ctx, func(tx *Tx) error {
		scope, args, err := clientScope(tx.actor)
		if err != nil {
			return err
		}
		in, statuses := waitingIn()
		q := `SELECT COUNT(CASE WHEN c.status = ? THEN 1 END), COUNT(CASE WHEN c.status IN ` + in + ` THEN 1 END),
			COUNT(CASE WHEN c.status = ? THEN 1 END) FROM applicants c WHERE ` + scope
		a := append(append([]any{amparo.ApplicantNew}, statuses...), amparo.ApplicantMatched)
		if err := tx.queryRow(ctx, q, append(a, args...)...).Scan(&c.NewIntakes, &c.Waiting, &c.Matched); err != nil {
			return mapError(err)
		}
		scope, args, err = letterScope(tx.actor)
		if err != nil {
			return err
		}
		if tx.actor.Role == amparo.RoleMember {
			// A member's dashboard is their own letters.
			scope, args = scope+" AND l.member_id IN (SELECT id FROM members WHERE account_id = ?)", append(args, tx.actor.ID)
		}
		q = `SELECT COUNT(CASE WHEN l.status = ? THEN 1 END), COUNT(CASE WHEN l.status = ? THEN 1 END),
			COUNT(CASE WHEN l.status = ? AND l.valid_until < ? THEN 1 END),
			COUNT(CASE WHEN l.status = ? AND l.submitted_at IS NOT NULL AND l.member_id IN (SELECT id FROM members WHERE account_id = ?) THEN 1 END)
			FROM letters l WHERE ` + scope
		a = []any{amparo.LetterDraft, amparo.LetterActive, amparo.LetterActive, formatTime(now.AddDate(0, 0, amparo.ExpiringDays)),
			amparo.LetterDraft, tx.actor.ID}
		return mapError(tx.queryRow(ctx, q, append(a, args...)...).Scan(&c.Drafts, &c.Active, &c.Expiring, &c.Awaiting))
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// ProgramCounts counts the program: letters against capacity, each
// organization's part, and intakes by week in the program's time zone.
func (db *DB) ProgramCounts(ctx context.Context, now time.Time, weeks int) (*amparo.ProgramCounts, error) {
	if weeks < 1 || weeks > 520 {
		return nil, amparo.Errorf(amparo.EINVALID, "weeks must be from 1 to 520")
	}
	var c amparo.ProgramCounts
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only the program office sees the program's numbers")
		}
		var zone string
		if err := tx.queryRow(ctx, `SELECT letter_capacity, time_zone FROM program WHERE id = 1`).Scan(&c.Capacity, &zone); err != nil {
			return mapError(err)
		}
		in, statuses := waitingIn()
		// Each count is an index lookup: letters (organization_id,
		// status), applicants (organization_id, status, created_at).
		rows, err := tx.query(ctx, `SELECT o.id, o.name,
			(SELECT COUNT(*) FROM letters l WHERE l.organization_id = o.id AND l.status = ?),
			(SELECT COUNT(*) FROM applicants c WHERE c.organization_id = o.id AND c.status = ?),
			(SELECT COUNT(*) FROM applicants c WHERE c.organization_id = o.id AND c.status IN `+in+`)
			FROM organizations o ORDER BY o.name, o.id`, append([]any{amparo.LetterActive, amparo.ApplicantMatched}, statuses...)...)
		if err != nil {
			return mapError(err)
		}
		defer rows.Close()
		for rows.Next() {
			var o amparo.OrganizationCount
			if err := rows.Scan(&o.OrganizationID, &o.Name, &o.Active, &o.Matched, &o.Waiting); err != nil {
				return mapError(err)
			}
			c.Active += o.Active
			c.Matched += o.Matched
			c.Organizations = append(c.Organizations, o)
		}
		if err := rows.Err(); err != nil {
			return mapError(err)
		}
		rows.Close()
		// The weeks' bounds are made here, in the program's zone (a week
		// across a change of clocks is 167 or 169 hours); each week is
		// counted by a range of the index on created_at, which is
		// faster than testing every row against every week.
		loc := amparo.ZoneOf(zone)
		first := amparo.WeekStart(now, loc).AddDate(0, 0, -7*(weeks-1))
		var counts []string
		var args []any
		c.Weeks = make([]amparo.WeekCount, weeks)
		dest := make([]any, weeks)
		for i := range c.Weeks {
			from, until := first.AddDate(0, 0, 7*i), first.AddDate(0, 0, 7*(i+1))
			c.Weeks[i].Start = amparo.Date{Time: time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)}
			counts = append(counts, "(SELECT COUNT(*) FROM applicants WHERE created_at >= ? AND created_at < ?)")
			args = append(args, formatTime(from), formatTime(until))
			dest[i] = &c.Weeks[i].Intakes
		}
		q := "SELECT " + strings.Join(counts, ", ")
		return mapError(tx.queryRow(ctx, q, args...).Scan(dest...))
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// WaitingChanged is the latest change to anyone in line, program-wide:
// counting the line by tier means ranking it, which decrypts everyone's
// ranking facts, and with how many are in line (ProgramCounts) it lets
// that count be kept until the line changes (intake.Service.Dashboard).
// One index seek per status of the line. EFORBIDDEN unless the actor
// runs the program.
func (db *DB) WaitingChanged(ctx context.Context) (time.Time, error) {
	var last time.Time
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only the program office sees the program's numbers")
		}
		for _, st := range amparo.WaitingStatuses {
			var t time.Time
			if err := tx.queryRow(ctx, `SELECT MAX(updated_at) FROM applicants WHERE status = ?`, st).Scan(scanTime{&t}); err != nil {
				return mapError(err)
			}
			if t.After(last) {
				last = t
			}
		}
		return nil
	})
	return last, err
}
