package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
)

// nameTokensVersion changes whenever the same name makes other search
// tokens (envelope.Words, Keyring.Tokens, or what of a record is
// tokenized): Migrate then makes every record's tokens again. Tokens stored
// before the version was recorded are version 1.
const nameTokensVersion = 1

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

// reindexNameTokens makes the name search's tokens, in one transaction:
// every record's when they were made by another nameTokensVersion, else
// those of records that have none (stored before their table of tokens
// existed, as applicants before migration 00014). The tokens are keyed, so
// SQL cannot make them; the names are read from the sealed records.
// Migrate calls it; once done, a start only looks for records without
// tokens, through the tokens' index.
func (db *DB) reindexNameTokens(ctx context.Context) error {
	sqlTx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer sqlTx.Rollback()
	tx := &Tx{Tx: sqlTx, db: db, now: db.Now().UTC()}
	if db.dialect == postgresDialect {
		// As for the conflict check's index: processes that start together
		// take turns, and the later ones find the work done.
		if _, err := tx.exec(ctx, "SELECT pg_advisory_xact_lock(7239)"); err != nil {
			return err
		}
	}
	want := strconv.Itoa(nameTokensVersion)
	got := "1"
	stored := true
	if err := tx.queryRow(ctx, "SELECT value FROM meta WHERE key = 'name_tokens_version'").Scan(&got); errors.Is(err, sql.ErrNoRows) {
		got, stored = "1", false
	} else if err != nil {
		return mapError(err)
	}
	all := got != want
	count := 0
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
				tokens := tx.db.cipher.Tokens(ix.field, name.LegalName+" "+name.PreferredName)
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
					count++
				}
			}
			after = page[len(page)-1].id
		}
	}
	if all || !stored {
		if _, err := tx.exec(ctx, "INSERT INTO meta (key, value) VALUES ('name_tokens_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", []byte(want)); err != nil {
			return err
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return mapError(err)
	}
	if all || count > 0 {
		// A count and a version: never a name.
		db.logger.Info("name search tokens rebuilt", "people", count, "tokens_version", nameTokensVersion, "all", all)
	}
	return nil
}
