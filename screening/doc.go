// Package screening checks an organization's vendors against a registry of
// companies, organizations and people involved in border-wall work, under
// the screening policy in force.
//
//   - The matcher (match*.go, normalize*.go) compares company names and
//     identifiers: NormalizeCompany reads legal forms, connectors, articles
//     and abbreviations in English and Spanish; CompareCompanies scores two
//     companies with an explanation per feature (catalog keys
//     "screen.match.*"); a MatchIndex screens many vendors against a
//     registry. The algorithm is named by MatchAlgorithm.
//   - The policy (policy*.go): ParsePolicies reads the policy text;
//     RegistryReach and Policies.Assess say whether a policy applies to an
//     entity, with a reason per involvement.
//   - The registry import (registry*.go) reads the registry layout and
//     USAspending.gov's award download; StarterRegistry is the shipped data.
//   - The workflow (service*.go, vendor_import.go): Service screens stored
//     vendors, one or a CSV of thousands, against the registry version in
//     force (its index kept in memory) with the policy in force; reports
//     affiliates, policy findings and contradictions with the vendor's
//     affidavit; reuses reviewers' decisions until the registry entry
//     changes; records every screening with its versions and the SHA-256
//     of its results, and Reproduce runs one again.
//
// The matcher, the policy and the import are pure; Service reaches storage
// only through the root package's interfaces. The package must never
// import a database or HTTP package, and it never logs a name.
package screening
