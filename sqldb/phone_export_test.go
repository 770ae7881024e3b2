package sqldb

import (
	"context"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// MigrateDownTo undoes the migrations after version, for tests of what a
// migration does to data stored before it.
func MigrateDownTo(ctx context.Context, db *DB, version int64) error {
	fsys, err := fs.Sub(migrations, "migrations/"+db.dialect.name)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(db.dialect.goose, db.db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

// PhonePINDailyBudget is how many wrong PINs a link takes a day.
const PhonePINDailyBudget = pinDailyBudget
