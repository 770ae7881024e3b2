// Package docs holds the documentation the app serves to its users: the
// priority policy's format, shown beside the policy editor, in English
// and Spanish.
//
// It must never import anything outside the standard library.
package docs

import _ "embed"

// PriorityPolicy is docs/priority-policy.md, in Markdown.
//
//go:embed priority-policy.md
var PriorityPolicy string

// PriorityPolicyES is its Spanish translation, docs/priority-policy.es.md:
// the same examples, word for word (TestPriorityPolicyES).
//
//go:embed priority-policy.es.md
var PriorityPolicyES string
