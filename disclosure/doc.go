// Package disclosure provides statistical disclosure control for the
// council's public reports: primary suppression of counts under the minimum
// publishable count, complementary suppression across each table (margins
// and percentages included), across the tables released together and
// against the previous release, checked by solving the linear system of what
// is published (an interval audit by linear programming), and the marking
// of rates whose denominator is too small to be stable.
//
// The method is described in docs/reports.md.
//
// The package is pure: it must never import a database, HTTP or other
// network package. It sees counts only, never person-level rows.
package disclosure
