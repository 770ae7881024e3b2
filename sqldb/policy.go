package sqldb

import (
	"context"
	"errors"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/priority"
)

var _ amparo.PolicyService = (*DB)(nil)

// CurrentPolicy returns the policy in force: the newest stored version, or
// the shipped default (version 0) before any change.
func (db *DB) CurrentPolicy(ctx context.Context) (*amparo.PolicyVersion, error) {
	var p *amparo.PolicyVersion
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		p, err = tx.currentPolicy(ctx)
		return err
	})
	return p, err
}

func (tx *Tx) currentPolicy(ctx context.Context) (*amparo.PolicyVersion, error) {
	var p amparo.PolicyVersion
	err := tx.queryRow(ctx, "SELECT version, text, tps, author, reason, created_at FROM policies ORDER BY version DESC LIMIT 1").
		Scan(&p.Version, &p.Text, &p.TPS, &p.Author, &p.Reason, scanTime{&p.CreatedAt})
	if amparo.ErrorCode(mapError(err)) == amparo.ENOTFOUND {
		return &amparo.PolicyVersion{Text: priority.DefaultPolicy().String(), TPS: priority.DefaultTPSText(), Author: "Amparo",
			Reason: "the policy Amparo ships"}, nil
	}
	if p.TPS == "" {
		p.TPS = priority.DefaultTPSText()
	}
	return &p, mapError(err)
}

// SetPolicy stores a new version, after checking that it parses.
func (db *DB) SetPolicy(ctx context.Context, text, tps, reason string) (*amparo.PolicyVersion, error) {
	var p *amparo.PolicyVersion
	err := db.inTx(ctx, func(tx *Tx) error {
		if !tx.actor.RunsProgram() {
			return amparo.Errorf(amparo.EFORBIDDEN, "only the program office changes the priority policy")
		}
		if strings.TrimSpace(reason) == "" {
			return amparo.Invalid("reason", "say why the policy changes")
		}
		if _, err := priority.ParsePolicy(text); err != nil {
			var list priority.ErrorList
			if errors.As(err, &list) {
				return amparo.Invalid("text", "%s", list.Error()).Localize("policy.err.list", list)
			}
			return amparo.Invalid("text", "%v", err)
		}
		if strings.TrimSpace(tps) == "" {
			current, err := tx.currentPolicy(ctx)
			if err != nil {
				return err
			}
			tps = current.TPS
		} else if _, err := priority.ParseTPSTable(tps); err != nil {
			var list priority.ErrorList
			if errors.As(err, &list) {
				return amparo.Invalid("tps", "%s", list.Error()).Localize("policy.err.list", list)
			}
			return amparo.Invalid("tps", "%v", err)
		}
		p = &amparo.PolicyVersion{Text: text, TPS: tps, Author: tx.actor.ID, Reason: strings.TrimSpace(reason), CreatedAt: tx.now}
		if _, err := tx.exec(ctx, "INSERT INTO policies (text, tps, author, reason, created_at) VALUES (?, ?, ?, ?, ?)",
			p.Text, p.TPS, p.Author, p.Reason, formatTime(tx.now)); err != nil {
			return err
		}
		latest, err := tx.currentPolicy(ctx)
		if err != nil {
			return err
		}
		p.Version = latest.Version
		return tx.audit(ctx, amparo.AuditPolicyChange, "")
	})
	return p, err
}

// PolicyHistory lists every stored version, newest first.
func (db *DB) PolicyHistory(ctx context.Context) ([]*amparo.PolicyVersion, error) {
	var out []*amparo.PolicyVersion
	err := db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT version, text, tps, author, reason, created_at FROM policies ORDER BY version DESC")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p amparo.PolicyVersion
			if err := rows.Scan(&p.Version, &p.Text, &p.TPS, &p.Author, &p.Reason, scanTime{&p.CreatedAt}); err != nil {
				return err
			}
			out = append(out, &p)
		}
		return rows.Err()
	})
	return out, err
}
