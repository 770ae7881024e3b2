package sqldb

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/screening"
)

var _ amparo.ScreeningPolicyService = (*DB)(nil)

// CurrentScreeningPolicy returns the newest stored version, or the
// shipped policies (version 0) before any change.
func (db *DB) CurrentScreeningPolicy(ctx context.Context) (*amparo.ScreeningPolicyVersion, error) {
	var p *amparo.ScreeningPolicyVersion
	err := db.inReadTx(ctx, func(tx *Tx) (err error) {
		p, err = tx.currentScreeningPolicy(ctx)
		return err
	})
	return p, err
}

func (tx *Tx) currentScreeningPolicy(ctx context.Context) (*amparo.ScreeningPolicyVersion, error) {
	var p amparo.ScreeningPolicyVersion
	err := tx.queryRow(ctx, "SELECT version, text, author, reason, created_at FROM screening_policies ORDER BY version DESC LIMIT 1").
		Scan(&p.Version, &p.Text, &p.Author, &p.Reason, scanTime{&p.CreatedAt})
	if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
		return &amparo.ScreeningPolicyVersion{Text: screening.DefaultPoliciesText(), Author: "Amparo", Reason: "the policies Amparo ships"}, nil
	}
	return &p, mapError(err)
}

// SetScreeningPolicy stores a new version after checking that it parses.
func (db *DB) SetScreeningPolicy(ctx context.Context, text, reason string) (*amparo.ScreeningPolicyVersion, error) {
	var p *amparo.ScreeningPolicyVersion
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only the program office changes the screening policy").Localize("screen.policy.err.forbidden")
		}
		if strings.TrimSpace(reason) == "" {
			return amparo.Invalid("reason", "say why the screening policy changes").Localize("screen.policy.err.reason")
		}
		if _, err := screening.ParsePolicies(text); err != nil {
			var list screening.PolicyErrorList
			if errors.As(err, &list) {
				return amparo.Invalid("text", "%s", list.Error()).Localize("screen.policy.err.list", list)
			}
			return amparo.Invalid("text", "%v", err)
		}
		p = &amparo.ScreeningPolicyVersion{Text: text, Author: tx.actor.ID, Reason: strings.TrimSpace(reason), CreatedAt: tx.now}
		if _, err := tx.exec(ctx, "INSERT INTO screening_policies (text, author, reason, created_at) VALUES (?, ?, ?, ?)",
			p.Text, p.Author, p.Reason, formatTime(tx.now)); err != nil {
			return err
		}
		latest, err := tx.currentScreeningPolicy(ctx)
		if err != nil {
			return err
		}
		p.Version = latest.Version
		return tx.audit(ctx, amparo.AuditScreenPolicyChange, strconv.Itoa(p.Version))
	})
	return p, err
}

// ScreeningPolicyHistory lists every stored version, newest first.
func (db *DB) ScreeningPolicyHistory(ctx context.Context) ([]*amparo.ScreeningPolicyVersion, error) {
	var out []*amparo.ScreeningPolicyVersion
	err := db.inReadTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT version, text, author, reason, created_at FROM screening_policies ORDER BY version DESC")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p amparo.ScreeningPolicyVersion
			if err := rows.Scan(&p.Version, &p.Text, &p.Author, &p.Reason, scanTime{&p.CreatedAt}); err != nil {
				return mapError(err)
			}
			out = append(out, &p)
		}
		return mapError(rows.Err())
	})
	return out, err
}
