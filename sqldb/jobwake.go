package sqldb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// Waking job runners. A runner polls for due jobs every second; a message
// to send cannot wait that long. In this process, DB.JobEnqueued runs
// after the commit; on PostgreSQL the transaction also notifies the
// channel below (delivered at commit, dropped at rollback), and every
// process that listens (ListenJobs) wakes its runner.

const jobsChannel = "amparo_jobs"

// notifyJobs tells the other processes, at commit, that a job is due.
func (tx *Tx) notifyJobs(ctx context.Context) error {
	if tx.db.dialect != postgresDialect {
		return nil
	}
	_, err := tx.exec(ctx, "SELECT pg_notify('"+jobsChannel+"', '')")
	return err
}

// ListenJobs calls wake whenever any process commits a job due now, until
// ctx ends; on SQLite (one machine, where DB.JobEnqueued suffices) it
// returns at once. It holds one connection of the pool, and takes a new
// one after a second if the connection breaks.
func (db *DB) ListenJobs(ctx context.Context, wake func()) error {
	if db.dialect != postgresDialect {
		return nil
	}
	for ctx.Err() == nil {
		err := db.listenJobs(ctx, wake)
		if ctx.Err() != nil {
			break
		}
		db.logger.Warn("job notifications interrupted", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return nil
}

func (db *DB) listenJobs(ctx context.Context, wake func()) error {
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection: %T", dc)
		}
		pc := c.Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+jobsChannel); err != nil {
			return err
		}
		// The connection goes back to the pool listening: stop first.
		defer pc.Exec(context.WithoutCancel(ctx), "UNLISTEN "+jobsChannel)
		for {
			if _, err := pc.WaitForNotification(ctx); err != nil {
				if errors.Is(err, context.Canceled) || ctx.Err() != nil {
					return nil
				}
				return err
			}
			wake()
		}
	})
}
