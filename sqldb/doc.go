// Package sqldb is the one SQL implementation of Amparo's services, on
// SQLite (modernc.org/sqlite, the embedded default) and PostgreSQL (pgx).
// The queries are plain SQL written once; every difference between the two
// databases lives in dialect.go. Migrations are embedded .sql files, one
// folder per dialect with the same names.
//
// Every query for client data is scoped here to the organization of the
// actor in the context, and every client's personal fields are sealed with
// the envelope package before they reach the database.
//
// It must never import an HTTP or template package.
package sqldb
