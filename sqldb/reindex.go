package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amparo-project/amparo/csvimport"
	"github.com/amparo-project/amparo/names"
)

// nameTokensVersion changes whenever the same name makes other search
// tokens (names.Words, Keyring.Tokens, or what of a record is tokenized):
// Migrate then makes every record's tokens again. Tokens stored before the
// version was recorded are version 1; version 2 folds names as the
// conflict check and the import keys do (names.Words), so "ONeil" finds
// María O'Neil.
const nameTokensVersion = 2

// nameTokens returns the search tokens of a name (or of a query), under
// field: the words of names' one fold, keyed.
func (tx *Tx) nameTokens(field, text string) [][]byte {
	return tx.db.cipher.Tokens(field, names.Words(text))
}

// nameTokenIndexes are the searches by name through keyed tokens: the
// table of tokens, its column naming the record, the field that keys them,
// and the records with their data keys and sealed JSON (which holds
// LegalName and PreferredName). The rows' insert paths tokenize the same
// text as tokenizeName.
var nameTokenIndexes = []struct {
	tokens, owner, field string
	records              string // id, wrapped key, sealed, as c
}{
	{"client_name_tokens", "client_id", nameField,
		"SELECT c.id, k.wrapped, c.sealed FROM clients c JOIN client_keys k ON k.client_id = c.id"},
	{"applicant_name_tokens", "applicant_id", applicantNameField,
		"SELECT c.id, c.wrapped_key, c.sealed FROM applicants c"},
}

// Migration locks: on PostgreSQL each rebuild Migrate runs holds one, so
// processes that start together take turns.
const (
	lockConflictNames = 7238
	lockNameTokens    = 7239
	lockApplicantKeys = 7240
	lockRevokeReasons = 7241 // and the letters' languages
)

// inLockedTx runs fn in one transaction of its own (a migration's work,
// with no actor), committed when fn returns nil. On PostgreSQL it first
// takes the advisory lock, so processes that start together take turns and
// the later ones find the work done; SQLite's write transactions already
// take turns.
func (db *DB) inLockedTx(ctx context.Context, lock int64, fn func(tx *Tx) error) error {
	sqlTx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer sqlTx.Rollback()
	tx := &Tx{Tx: sqlTx, db: db, now: db.Now().UTC()}
	if db.dialect == postgresDialect {
		if _, err := tx.exec(ctx, "SELECT pg_advisory_xact_lock(?)", lock); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return mapError(sqlTx.Commit())
}

// metaValue reads a value kept in meta, such as an index's version; ok is
// false when none is kept.
func (tx *Tx) metaValue(ctx context.Context, key string) (value string, ok bool, err error) {
	err = tx.queryRow(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, mapError(err)
	}
	return value, true, nil
}

// setMeta keeps a value in meta.
func (tx *Tx) setMeta(ctx context.Context, key, value string) error {
	_, err := tx.exec(ctx, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, []byte(value))
	return err
}

// reindexNameTokens makes the name search's tokens, in one transaction:
// every record's when they were made by another nameTokensVersion, else
// those of records that have none (stored before their table of tokens
// existed, as applicants before migration 00014). The tokens are keyed, so
// SQL cannot make them; the names are read from the sealed records.
// Migrate calls it; once done, a start only looks for records without
// tokens, through the tokens' index.
func (db *DB) reindexNameTokens(ctx context.Context) error {
	var all bool
	count := 0
	err := db.inLockedTx(ctx, lockNameTokens, func(tx *Tx) error {
		want := strconv.Itoa(nameTokensVersion)
		got, stored, err := tx.metaValue(ctx, "name_tokens_version")
		if err != nil {
			return err
		} else if !stored {
			got = "1" // tokens made before the version was kept are version 1
		}
		all = got != want
		if err := tx.reindexNameTokens(ctx, all, &count); err != nil {
			return err
		}
		if all || !stored {
			return tx.setMeta(ctx, "name_tokens_version", want)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if all || count > 0 {
		// A count and a version: never a name.
		db.logger.Info("name search tokens rebuilt", "people", count, "tokens_version", nameTokensVersion, "all", all)
	}
	return nil
}

// reindexNameTokens makes the tokens of every record (all), or of those
// without any, counting the records it indexed.
func (tx *Tx) reindexNameTokens(ctx context.Context, all bool, count *int) error {
	for _, ix := range nameTokenIndexes {
		q := ix.records + " WHERE c.id > ?"
		if all {
			if _, err := tx.exec(ctx, "DELETE FROM "+ix.tokens); err != nil {
				return err
			}
		} else {
			q += " AND NOT EXISTS (SELECT 1 FROM " + ix.tokens + " t WHERE t." + ix.owner + " = c.id)"
		}
		q += " ORDER BY c.id LIMIT 500"
		insert := "INSERT INTO " + ix.tokens + " (token, " + ix.owner + ") VALUES (?, ?)"
		for after := ""; ; {
			type record struct {
				id              string
				wrapped, sealed []byte
			}
			var page []record
			rows, err := tx.query(ctx, q, after)
			if err != nil {
				return err
			}
			for rows.Next() {
				var r record
				if err := rows.Scan(&r.id, &r.wrapped, &r.sealed); err != nil {
					rows.Close()
					return err
				}
				page = append(page, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			for _, r := range page {
				var name struct{ LegalName, PreferredName string }
				if err := tx.unsealJSON(r.id, r.wrapped, r.sealed, &name); err != nil {
					return err
				}
				tokens := tx.nameTokens(ix.field, name.LegalName+" "+name.PreferredName)
				for _, t := range tokens {
					st, err := tx.prepared(ctx, insert)
					if err != nil {
						return err
					}
					if _, err := st.ExecContext(ctx, t, r.id); err != nil {
						return mapError(err)
					}
				}
				if len(tokens) > 0 {
					*count++
				}
			}
			after = page[len(page)-1].id
		}
	}
	return nil
}

// IntakeKeySecret is the secret of the people's duplicate-finding keys
// (csvimport.RowKey), derived from the master key. The import command,
// the intake form and Migrate's rebuild of the keys must all use this one,
// or a person imported by one is not known to the others.
func (db *DB) IntakeKeySecret() []byte { return db.cipher.MAC("intake row keys", nil) }

// reindexApplicantKeys computes every applicant's import key again from
// the sealed name and date of birth when the stored keys were made by
// another csvimport.KeyVersion (keys stored before the version was
// recorded are version 1), in one transaction: else a re-import after a
// change of the fold would add everyone whose key changed a second time.
// Two applicants of an organization whose names the new fold makes one
// (Strauß, Strauss) cannot share a key: the one already holding it, or
// else the first stored, gets it; the other keeps its old key (or, if
// that is taken, one no import makes) and stays for a person to review.
// Migrate calls it.
func (db *DB) reindexApplicantKeys(ctx context.Context) error {
	var n keyCounts
	if err := db.inLockedTx(ctx, lockApplicantKeys, func(tx *Tx) error { return tx.reindexApplicantKeys(ctx, &n) }); err != nil {
		return err
	}
	if n.total > 0 {
		// Counts and a version: never a name.
		db.logger.Info("applicant import keys rebuilt", "people", n.total, "changed", n.changed, "kept_apart", n.kept, "keys_version", csvimport.KeyVersion)
	}
	return nil
}

// keyCounts is what a rebuild of the import keys did.
type keyCounts struct{ total, changed, kept int }

func (tx *Tx) reindexApplicantKeys(ctx context.Context, n *keyCounts) error {
	want := strconv.Itoa(csvimport.KeyVersion)
	got, stored, err := tx.metaValue(ctx, "applicant_keys_version")
	if err != nil {
		return err
	} else if !stored {
		got = "1" // keys made before the version was kept are version 1
	}
	if got == want {
		return nil
	}
	secret := tx.db.IntakeKeySecret()
	type record struct {
		id, org, old, new string
		created           time.Time
	}
	held := map[string]string{} // organization, NUL, key → the ID holding it
	var changed []record
	total := 0
	for after := ""; ; {
		var page []record
		var sealed [][2][]byte
		rows, err := tx.query(ctx, "SELECT id, organization_id, row_key, created_at, wrapped_key, sealed FROM applicants WHERE id > ? ORDER BY id LIMIT 500", after)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r record
			var wrapped, s []byte
			if err := rows.Scan(&r.id, &r.org, &r.old, scanTime{&r.created}, &wrapped, &s); err != nil {
				rows.Close()
				return err
			}
			page = append(page, r)
			sealed = append(sealed, [2][]byte{wrapped, s})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for i, r := range page {
			name, birth, err := tx.nameOf(r.id, sealed[i][0], sealed[i][1])
			if err != nil {
				return err
			}
			r.new = csvimport.RowKey(secret, name, birth)
			if r.new == r.old {
				held[r.org+"\x00"+r.old] = r.id
			} else {
				changed = append(changed, r)
			}
		}
		total += len(page)
		after = page[len(page)-1].id
	}
	// The keys that stay are held first; then the changed ones, oldest
	// first. Every key is first moved out of the way, so that no update
	// meets a key about to be given up.
	slices.SortFunc(changed, func(a, b record) int {
		if c := a.created.Compare(b.created); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	final := make([]string, len(changed))
	kept := 0
	for i, r := range changed {
		switch {
		case held[r.org+"\x00"+r.new] == "":
			final[i] = r.new
		case held[r.org+"\x00"+r.old] == "":
			final[i] = r.old
			kept++
		default:
			final[i] = "superseded:" + r.id
			kept++
		}
		held[r.org+"\x00"+final[i]] = r.id
	}
	set, err := tx.prepared(ctx, "UPDATE applicants SET row_key = ? WHERE id = ?")
	if err != nil {
		return err
	}
	for _, pass := range []func(i int) string{
		func(i int) string { return "rekeying:" + changed[i].id },
		func(i int) string { return final[i] },
	} {
		for i, r := range changed {
			if _, err := set.ExecContext(ctx, pass(i), r.id); err != nil {
				return mapError(err)
			}
		}
	}
	*n = keyCounts{total: total, changed: len(changed) - kept, kept: kept}
	return tx.setMeta(ctx, "applicant_keys_version", want)
}
