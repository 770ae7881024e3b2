// Package fund provides the defense fund's rules as data: a funding
// source's restrictions (who is eligible, who is excluded, the floors and
// ceilings of its spending, the budget lines it allows, its reporting
// cadence) in a small line-oriented format that the fund officer edits and
// versions with a reason, its parser (errors name the line), the check of a
// case's facts against them, and strict parsing of amounts in cents; the
// workflows that read what the fund's pages show (Pages), and the CSV
// format of the ledger and the invoices.
//
// The package is pure: it must never import a database, HTTP or other
// network package.
package fund
