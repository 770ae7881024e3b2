// Package priority provides the program's priority policy as data: a small,
// line-oriented policy language that the program office edits in a textarea
// and reads in a diff, its parser (errors name the line, the column and the
// reason), the table of TPS designations shipped as an editable embedded
// file, the engine that ranks applicants and says, for every one, which rules
// put them in their place, and the comparison of two rankings that says who
// moved and where when the policy changes.
//
// The format and every fact are documented in docs/priority-policy.md;
// TestDocPolicy keeps this package and that document in agreement.
//
// The package is pure: it must never import a database, HTTP or other network
// package. Applicant facts come in as plain structs; storing them, and the
// policy's versions, is the caller's business.
package priority
