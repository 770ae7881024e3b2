package sqldb

import (
	"database/sql"
	"github.com/amparo-project/amparo/envelope"
)

// RawDB exposes the database handle to tests that read what is stored.
func RawDB(db *DB) *sql.DB { return db.db }

// UseNoopCipher replaces encryption with a no-op, so a benchmark can
// measure what encryption costs.
func UseNoopCipher(db *DB) { db.cipher = noopCipher{} }

type noopCipher struct{}

func (noopCipher) NewDataKey(string) (dataKey, []byte, error)  { return noopKey{}, []byte("k"), nil }
func (noopCipher) OpenDataKey(string, []byte) (dataKey, error) { return noopKey{}, nil }
func (noopCipher) KeyCheck() []byte                            { return []byte("noop") }
func (noopCipher) Tokens(field, text string) [][]byte {
	var out [][]byte
	for _, w := range envelope.Words(text) {
		out = append(out, []byte(field+":"+w))
	}
	return out
}

type noopKey struct{}

func (noopKey) Seal(p, _ []byte) []byte          { return p }
func (noopKey) Open(p, _ []byte) ([]byte, error) { return p, nil }
