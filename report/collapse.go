package report

import "github.com/amparo-project/amparo/disclosure"

// collapseRules make the policy's collapse rules from the categories a
// release has: a language other than English and Spanish collapses into
// "other".
var collapseRules = map[string]func(cats []string) disclosure.Collapse{
	"language": func(cats []string) disclosure.Collapse {
		c := disclosure.Collapse{Dim: "language", Into: "language_group", Map: map[string]string{}}
		for _, x := range cats {
			switch x {
			case "en", "es":
				c.Map[x] = x
			default:
				c.Map[x] = "other"
			}
		}
		return c
	},
}
