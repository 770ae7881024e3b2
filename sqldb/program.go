package sqldb

import (
	"context"
	"encoding/json"

	"github.com/amparo-project/amparo"
)

var _ amparo.ProgramService = (*DB)(nil)

// FindProgram returns the program's settings.
func (db *DB) FindProgram(ctx context.Context) (*amparo.Program, error) {
	var p amparo.Program
	err := db.inReadTx(ctx, func(tx *Tx) error {
		var langs string
		err := tx.queryRow(ctx, `SELECT name, jurisdiction, letter_capacity, languages,
			letter_validity_days, time_zone, verify_url, updated_at FROM program WHERE id = 1`).
			Scan(&p.Name, &p.Jurisdiction, &p.LetterCapacity, &langs, &p.LetterValidityDays, &p.TimeZone, &p.VerifyURL, scanTime{&p.UpdatedAt})
		if err != nil {
			return mapError(err)
		}
		return json.Unmarshal([]byte(langs), &p.Languages)
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// LettersLeft is the letter capacity less active letters and matched
// applicants, program-wide.
func (db *DB) LettersLeft(ctx context.Context) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *Tx) error {
		return mapError(tx.queryRow(ctx, `SELECT letter_capacity
			- (SELECT COUNT(*) FROM letters WHERE status = ?)
			- (SELECT COUNT(*) FROM applicants WHERE status = ?) FROM program WHERE id = 1`, amparo.LetterActive, amparo.ApplicantMatched).Scan(&n))
	})
	return max(n, 0), err
}

// UpdateProgram changes the program's settings; program admins only.
func (db *DB) UpdateProgram(ctx context.Context, p *amparo.Program) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only the program office changes program settings")
		}
		if err := p.Validate(); err != nil {
			return err
		}
		p.UpdatedAt = tx.now
		if _, err := tx.exec(ctx, `UPDATE program SET name = ?, jurisdiction = ?, letter_capacity = ?,
			languages = ?, letter_validity_days = ?, time_zone = ?, verify_url = ?, updated_at = ? WHERE id = 1`,
			p.Name, p.Jurisdiction, p.LetterCapacity, jsonText(p.Languages), p.LetterValidityDays, p.TimeZone, p.VerifyURL, formatTime(p.UpdatedAt)); err != nil {
			return err
		}
		return tx.audit(ctx, amparo.AuditProgramUpdate, "1")
	})
}

// jsonText encodes a list for a TEXT column; nil becomes [].
func jsonText(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// scanList decodes a list from a TEXT column.
type scanList struct{ v *[]string }

func (s scanList) Scan(src any) error {
	var b []byte
	switch x := src.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	}
	return json.Unmarshal(b, s.v)
}
