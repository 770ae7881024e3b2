package csvimport

import (
	"go/build"
	"strings"
	"testing"
)

// TestPure keeps the promise of the package comment: no database, HTTP or
// other network package.
func TestPure(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if imp == "database/sql" || imp == "net/http" || imp == "net" ||
			strings.HasPrefix(imp, "net/http/") || strings.HasPrefix(imp, "database/") ||
			strings.Contains(imp, "sqldb") || strings.Contains(imp, "/web") || strings.Contains(imp, "sqlite") || strings.Contains(imp, "pgx") {
			t.Errorf("csvimport imports %s", imp)
		}
	}
}
