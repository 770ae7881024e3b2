package sqldb_test

import (
	"sync"
	"testing"

	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// The connection pool is sized for each database, never unbounded: 64
// readings at once all succeed, through at most 8 connections on SQLite
// (whose writers queue on one lock anyway) and 16 on PostgreSQL (whose
// server starts a process per connection: 239 in 10 s, unbounded).
func TestOpen_PoolBounded(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		bound := map[string]int{"sqlite": 8, "postgres": 16}[db.Dialect()]
		if got := db.Pool().Stats().MaxOpenConnections; got != bound {
			t.Fatalf("the pool allows %d connections, want %d", got, bound)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for range 64 {
			wg.Go(func() {
				if _, err := db.FindProgram(storetest.System); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if s := db.Pool().Stats(); s.OpenConnections > bound {
			t.Errorf("%d connections open, over the bound of %d", s.OpenConnections, bound)
		}
	})
}
