package sqldb

import (
	"context"
	"errors"

	"github.com/amparo-project/amparo"
)

// ErrAfterEnqueue is what EnqueueMessageThenFail fails with.
var ErrAfterEnqueue = errors.New("the business event failed after its message was enqueued")

// EnqueueMessageThenFail enqueues m, with its job, in a transaction that
// then fails, as a business event does that fails after its message.
func EnqueueMessageThenFail(ctx context.Context, db *DB, m *amparo.Message) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.enqueueMessage(ctx, m); err != nil {
			return err
		}
		return ErrAfterEnqueue
	})
}
