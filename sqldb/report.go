package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/amparo-project/amparo"
)

// The council's reports: each metric is counted by an aggregate query
// (COUNT or SUM with GROUP BY) over a range of an index; only the counts
// leave the store. Two metrics need a little work in Go on rows that
// never leave this file: a letter's language is sealed, so the letters
// counted by language are opened one by one and counted here; an alert's
// time to acknowledgement is the difference of two columns, bucketed here
// rather than by each dialect's own date arithmetic.

// CountReport counts metric m over period p, by the metric's dimensions.
func (db *DB) CountReport(ctx context.Context, m amparo.ReportMetric, p amparo.ReportPeriod) ([]amparo.ReportRow, error) {
	if _, ok := amparo.ReportMetrics[m]; !ok {
		return nil, amparo.Invalid("metric", "the store makes no metric %q", m)
	}
	var out []amparo.ReportRow
	err := db.inReadTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only the program office counts the reports")
		}
		from, until := formatTime(p.From), formatTime(p.Until)
		var err error
		switch m {
		case amparo.MetricLettersIssued:
			out, err = tx.countLetterLanguages(ctx, `l.issued_at >= ? AND l.issued_at < ?`, from, until)
		case amparo.MetricLettersActive:
			out, err = tx.countLetterLanguages(ctx, `l.issued_at < ? AND (l.valid_until IS NULL OR l.valid_until >= ?)
				AND (l.revoked_at IS NULL OR l.revoked_at >= ?)
				AND NOT EXISTS (SELECT 1 FROM letters n WHERE l.superseded_by <> '' AND n.id = l.superseded_by AND n.issued_at < ?)`,
				until, until, until, until)
		case amparo.MetricLettersRenewed:
			out, err = tx.countRows(ctx, `SELECT o.name, COUNT(*) FROM letters l JOIN organizations o ON o.id = l.organization_id
				WHERE l.issued_at >= ? AND l.issued_at < ? AND EXISTS (SELECT 1 FROM letters p WHERE p.superseded_by = l.id)
				GROUP BY o.name`, 1, from, until)
		case amparo.MetricLettersRevoked:
			out, err = tx.countRows(ctx, `SELECT o.name, COUNT(*) FROM letters l JOIN organizations o ON o.id = l.organization_id
				WHERE l.revoked_at >= ? AND l.revoked_at < ? GROUP BY o.name`, 1, from, until)
		case amparo.MetricLettersTotal:
			out, err = tx.countRows(ctx, `SELECT o.name, COUNT(*) FROM letters l JOIN organizations o ON o.id = l.organization_id
				WHERE l.issued_at < ? GROUP BY o.name`, 1, until)
		case amparo.MetricIntakes:
			out, err = tx.countRows(ctx, `SELECT o.name, (SELECT COUNT(*) FROM applicants a
				WHERE a.organization_id = o.id AND a.created_at >= ? AND a.created_at < ?) FROM organizations o`, 1, from, until)
		case amparo.MetricIntakesGroup:
			out, err = tx.countRows(ctx, `SELECT a.priority_group, COUNT(*) FROM applicants a
				WHERE a.created_at >= ? AND a.created_at < ? GROUP BY a.priority_group`, 1, from, until)
		case amparo.MetricQueue:
			out, err = tx.countQueue(ctx, p, false)
		case amparo.MetricQueueGroup:
			out, err = tx.countQueue(ctx, p, true)
		case amparo.MetricMatches:
			out, err = tx.countRows(ctx, `SELECT o.name, COUNT(*) FROM applicant_events e
				JOIN applicants a ON a.id = e.applicant_id JOIN organizations o ON o.id = a.organization_id
				WHERE e.status = ? AND e.at >= ? AND e.at < ? GROUP BY o.name`, 1, string(amparo.ApplicantMatched), from, until)
		case amparo.MetricWorkshops:
			out, err = tx.countRows(ctx, `SELECT o.name, COUNT(*) FROM workshops w JOIN organizations o ON o.id = w.organization_id
				WHERE w.status = ? AND w.starts_at >= ? AND w.starts_at < ? GROUP BY o.name`, 1, string(amparo.WorkshopHeld), from, until)
		case amparo.MetricAttendance:
			out, err = tx.countRows(ctx, `SELECT o.name, SUM(s.party_size) FROM workshop_scans s
				JOIN workshops w ON w.id = s.workshop_id JOIN organizations o ON o.id = w.organization_id
				WHERE s.at >= ? AND s.at < ? AND s.outcome IN (?, ?) GROUP BY o.name`, 1,
				from, until, string(amparo.CheckInOK), string(amparo.CheckInWalkIn))
		case amparo.MetricAlerts:
			out, err = tx.countAlerts(ctx, p)
		default:
			out, err = tx.countFund(ctx, m, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return dropZeros(out), nil
}

func dropZeros(rows []amparo.ReportRow) []amparo.ReportRow {
	return slices.DeleteFunc(rows, func(r amparo.ReportRow) bool { return r.Count == 0 })
}

// countRows reads rows of dims keys and a count.
func (tx *Tx) countRows(ctx context.Context, q string, dims int, args ...any) ([]amparo.ReportRow, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	var out []amparo.ReportRow
	for rows.Next() {
		r := amparo.ReportRow{Keys: make([]string, dims)}
		dest := make([]any, 0, dims+1)
		for i := range r.Keys {
			dest = append(dest, &r.Keys[i])
		}
		var n sql.NullInt64
		if err := rows.Scan(append(dest, &n)...); err != nil {
			return nil, mapError(err)
		}
		r.Count = n.Int64
		out = append(out, r)
	}
	return out, mapError(rows.Err())
}

// countLetterLanguages counts the letters that where selects by
// organization and first language besides English ("en" when none),
// opening each letter's sealed languages here: they never leave the store.
func (tx *Tx) countLetterLanguages(ctx context.Context, where string, args ...any) ([]amparo.ReportRow, error) {
	rows, err := tx.query(ctx, `SELECT o.name, l.id, l.languages FROM letters l JOIN organizations o ON o.id = l.organization_id WHERE `+where, args...)
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	counts := map[[2]string]int64{}
	for rows.Next() {
		var org, id, stored string
		if err := rows.Scan(&org, &id, &stored); err != nil {
			return nil, mapError(err)
		}
		var langs []string
		if err := tx.db.openLanguages(id, stored, &langs); err != nil {
			return nil, err
		}
		lang := "en"
		for _, l := range langs {
			if l != "en" && l != "" {
				lang = strings.ToLower(l)
				break
			}
		}
		counts[[2]string{org, lang}]++
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	out := make([]amparo.ReportRow, 0, len(counts))
	for k, n := range counts {
		out = append(out, amparo.ReportRow{Keys: []string{k[0], k[1]}, Count: n})
	}
	return out, nil
}

// countQueue counts those in line at the period's end (received before
// it, and no change of status out of the line before it) by organization
// and time waited: those received before the end, less those of them who
// left the line before it. Each is an aggregate over an index; the second
// reads only the events of leaving, not every applicant. byGroup counts
// by the stored priority group instead of the organization.
func (tx *Tx) countQueue(ctx context.Context, p amparo.ReportPeriod, byGroup bool) ([]amparo.ReportRow, error) {
	key, join := "a.organization_id", " JOIN organizations o ON o.id = b.k GROUP BY o.name, b.waited"
	name := "o.name"
	if byGroup {
		key, join, name = "a.priority_group", " GROUP BY b.k, b.waited", "b.k"
	}
	until := formatTime(p.Until)
	bucket := `CASE WHEN a.created_at >= ? THEN 0 WHEN a.created_at >= ? THEN 1 WHEN a.created_at >= ? THEN 2 ELSE 3 END`
	bounds := []any{formatTime(p.Until.AddDate(0, 0, -30)), formatTime(p.Until.AddDate(0, 0, -90)), formatTime(p.Until.AddDate(0, 0, -180))}
	received, err := tx.countRows(ctx, `SELECT `+name+`, b.waited, COUNT(*) FROM (SELECT `+key+` AS k, `+bucket+` AS waited
		FROM applicants a WHERE a.created_at < ?) b`+join, 2, append(bounds, until)...)
	if err != nil {
		return nil, err
	}
	var gone []any
	var qs []string
	for _, st := range []amparo.ApplicantStatus{amparo.ApplicantMatched, amparo.ApplicantServed, amparo.ApplicantDeclined, amparo.ApplicantClosed} {
		gone = append(gone, string(st))
		qs = append(qs, "?")
	}
	args := append(append(bounds, until), gone...)
	left, err := tx.countRows(ctx, `SELECT `+name+`, b.waited, COUNT(*) FROM (SELECT `+key+` AS k, `+bucket+` AS waited
		FROM applicants a WHERE a.created_at < ? AND a.id IN (SELECT e.applicant_id FROM applicant_events e
		WHERE e.status IN (`+strings.Join(qs, ", ")+`) AND e.at < ?)) b`+join, 2, append(args, until)...)
	if err != nil {
		return nil, err
	}
	minus := map[string]int64{}
	for _, r := range left {
		minus[r.Keys[0]+"\x00"+r.Keys[1]] += r.Count
	}
	for i := range received {
		received[i].Count -= minus[received[i].Keys[0]+"\x00"+received[i].Keys[1]]
		switch received[i].Keys[1] {
		case "0", "1", "2", "3":
			received[i].Keys[1] = amparo.WaitBuckets[received[i].Keys[1][0]-'0']
		}
	}
	return received, nil
}

// countAlerts counts the alerts raised in the period by organization and
// time to acknowledgement; those not acknowledged by the period's end
// are pending.
func (tx *Tx) countAlerts(ctx context.Context, p amparo.ReportPeriod) ([]amparo.ReportRow, error) {
	rows, err := tx.query(ctx, `SELECT o.name, a.raised_at, a.acknowledged_at FROM alerts a JOIN organizations o ON o.id = a.organization_id
		WHERE a.raised_at >= ? AND a.raised_at < ?`, formatTime(p.From), formatTime(p.Until))
	if err != nil {
		return nil, mapError(err)
	}
	defer rows.Close()
	counts := map[[2]string]int64{}
	for rows.Next() {
		var org string
		var raised, acked time.Time
		if err := rows.Scan(&org, scanTime{&raised}, scanTime{&acked}); err != nil {
			return nil, mapError(err)
		}
		b := amparo.AckPending
		if d := acked.Sub(raised); !acked.IsZero() && acked.Before(p.Until) {
			switch {
			case d < 15*time.Minute:
				b = amparo.AckBuckets[0]
			case d < time.Hour:
				b = amparo.AckBuckets[1]
			default:
				b = amparo.AckBuckets[2]
			}
		}
		counts[[2]string{org, b}]++
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(err)
	}
	out := make([]amparo.ReportRow, 0, len(counts))
	for k, n := range counts {
		out = append(out, amparo.ReportRow{Keys: []string{k[0], k[1]}, Count: n})
	}
	return out, nil
}

const releaseColumns = "id, period_from, period_until, hash, public, created_at, created_by, approved_at, approved_by"

func scanRelease(row interface{ Scan(...any) error }, extra ...any) (*amparo.ReportRelease, error) {
	var r amparo.ReportRelease
	var public string
	err := row.Scan(append([]any{&r.ID, scanTime{&r.From}, scanTime{&r.Until}, &r.Hash, &public, scanTime{&r.CreatedAt}, &r.CreatedBy,
		scanTime{&r.ApprovedAt}, &r.ApprovedBy}, extra...)...)
	if err != nil {
		return nil, mapError(err)
	}
	r.Period, r.Public = r.ID, []byte(public)
	return &r, nil
}

// CreateReportRelease stores a new release, one per period.
func (db *DB) CreateReportRelease(ctx context.Context, r *amparo.ReportRelease) error {
	if !json.Valid(r.Public) || !json.Valid(r.Private) || r.ID == "" || r.Hash == "" {
		return amparo.Invalid("release", "a release needs its period, hash and JSON")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only the program office releases reports")
		}
		r.CreatedAt, r.CreatedBy = tx.now, tx.actor.ID
		_, err := tx.exec(ctx, `INSERT INTO report_releases (id, period_from, period_until, hash, public, private, created_at, created_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, formatTime(r.From), formatTime(r.Until), r.Hash, string(r.Public), string(r.Private),
			formatTime(r.CreatedAt), r.CreatedBy)
		if amparo.ErrorCode(mapError(err)) == amparo.ECONFLICT {
			return amparo.Errorf(amparo.ECONFLICT, "the period %s already has a release", r.ID).Localize("report.err.released", r.ID)
		}
		if err != nil {
			return mapError(err)
		}
		return tx.audit(ctx, amparo.AuditReportReleaseCreate, r.ID)
	})
}

// ApproveReportRelease approves a release, once.
func (db *DB) ApproveReportRelease(ctx context.Context, id string) (*amparo.ReportRelease, error) {
	var out *amparo.ReportRelease
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only the program office approves reports")
		}
		res, err := tx.exec(ctx, `UPDATE report_releases SET approved_at = ?, approved_by = ? WHERE id = ? AND approved_at IS NULL`,
			formatTime(tx.now), tx.actor.ID, id)
		if err != nil {
			return mapError(err)
		}
		out, err = scanRelease(tx.queryRow(ctx, "SELECT "+releaseColumns+" FROM report_releases WHERE id = ?", id))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return amparo.Errorf(amparo.ECONFLICT, "the release %s is already approved", id).Localize("report.err.approved", id)
		}
		return tx.audit(ctx, amparo.AuditReportReleaseApprove, id)
	})
	return out, err
}

// FindReportRelease returns one release; Private for the program office
// only, and a release not yet approved to it alone.
func (db *DB) FindReportRelease(ctx context.Context, id string) (*amparo.ReportRelease, error) {
	var out *amparo.ReportRelease
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var private string
		r, err := scanRelease(tx.queryRow(ctx, "SELECT "+releaseColumns+", private FROM report_releases WHERE id = ?", id), &private)
		if err != nil {
			return err
		}
		if !tx.actor.RunsProgram() {
			if !r.Approved() {
				return amparo.Errorf(amparo.ENOTFOUND, "not found")
			}
		} else {
			r.Private = []byte(private)
		}
		out = r
		return nil
	})
	return out, err
}

// FindReportReleases lists releases, newest period first, without
// Private; approved ones only for anyone but the program office.
func (db *DB) FindReportReleases(ctx context.Context, f amparo.ReportReleaseFilter) ([]*amparo.ReportRelease, error) {
	var out []*amparo.ReportRelease
	err := db.inReadTx(ctx, func(tx *Tx) error {
		q := "SELECT " + releaseColumns + " FROM report_releases WHERE 1 = 1"
		var args []any
		if f.Approved || !tx.actor.RunsProgram() {
			q += " AND approved_at IS NOT NULL"
		}
		if !f.Before.IsZero() {
			q += " AND period_until <= ?"
			args = append(args, formatTime(f.Before))
		}
		rows, err := tx.query(ctx, q+" ORDER BY period_until DESC", args...)
		if err != nil {
			return mapError(err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRelease(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return mapError(rows.Err())
	})
	return out, err
}

var _ amparo.ReportService = (*DB)(nil)
