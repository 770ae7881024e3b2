package sqldb

import (
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
)

// The lists of the people and access pages (organizations, members,
// accounts): a search by part of a name, any case, and an order chosen
// from a list's known columns. Their names are plain text (organizations,
// members and staff accounts are not sealed, unlike clients), so the
// database sorts and searches them itself.

// peopleOrder maps a filter's Sort ("name", "-created" …) to an ORDER BY
// of cols, whose keys are the sorts and values the SQL, with id last so
// that paging is stable. The string is never interpolated: an unknown
// sort is EINVALID.
func peopleOrder(sort string, cols map[string]string, def string) (string, error) {
	if sort == "" {
		sort = def
	}
	key, desc := strings.CutPrefix(sort, "-")
	col, ok := cols[key]
	if !ok {
		keys := make([]string, 0, len(cols))
		for k := range cols {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return "", amparo.Invalid("sort", "must be one of %s", strings.Join(keys, ", ")).Localize("list.bad_sort")
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return " ORDER BY " + col + dir + ", id" + dir, nil
}

// peopleLike is the LIKE pattern of a search for q anywhere in a lowered
// column, its wildcards escaped (with ESCAPE '\').
func peopleLike(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(q)) + "%"
}
