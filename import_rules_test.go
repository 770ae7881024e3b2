package amparo_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// importRules turns the words of a package comment's "must never import"
// sentence into rules: each phrase names a set of import paths.
var importRules = []struct {
	phrase string
	match  func(path string, standard bool) bool
}{
	{"database driver", func(p string, _ bool) bool { return isDriver(p) }},
	{"database", func(p string, _ bool) bool {
		return isDriver(p) || p == "database/sql" || strings.HasPrefix(p, "database/sql/") || p == module+"/sqldb"
	}},
	{"HTTP", func(p string, _ bool) bool {
		return p == "net/http" || strings.HasPrefix(p, "net/http/") || p == module+"/web"
	}},
	{"template", func(p string, _ bool) bool { return p == "text/template" || p == "html/template" }},
	{"network", func(p string, _ bool) bool {
		return p == "net" || p == "net/http" || strings.HasPrefix(p, "net/http/") || p == "crypto/tls" || p == "net/rpc" || p == "net/smtp"
	}},
	{"outside the standard library", func(_ string, standard bool) bool { return !standard }},
}

const module = "github.com/amparo-project/amparo"

func isDriver(p string) bool {
	return strings.HasPrefix(p, "modernc.org/sqlite") || strings.HasPrefix(p, "github.com/jackc/") || strings.HasPrefix(p, "github.com/lib/pq") ||
		strings.HasPrefix(p, "github.com/mattn/go-sqlite3")
}

// neverImport is a package comment's rule, up to the end of its sentence.
var neverImport = regexp.MustCompile(`(?s)must never import(.*?)[.:;]`)

type listedPackage struct {
	ImportPath string
	Dir        string
	Standard   bool
	Imports    []string
	Deps       []string
	GoFiles    []string
}

// TestImportRules: each package's comment that says what it "must never
// import" is a rule, checked against what it imports, directly or through
// another package of this module (a package may not launder an import
// through a neighbour; what the standard library and third-party modules
// use inside is theirs).
func TestImportRules(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command("go", "list", "-deps", "-json", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	pkgs := map[string]*listedPackage{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = &p
	}
	rules := 0
	for path, p := range pkgs {
		if path != module && !strings.HasPrefix(path, module+"/") || strings.Contains(path, "/third_party/") {
			continue
		}
		comment := packageComment(t, p)
		m := neverImport.FindStringSubmatch(comment)
		if m == nil {
			continue
		}
		sentence := strings.Join(strings.Fields(m[1]), " ")
		var match []func(string, bool) bool
		rest := sentence
		for _, r := range importRules {
			if strings.Contains(rest, r.phrase) {
				match = append(match, r.match)
				rest = strings.ReplaceAll(rest, r.phrase, "")
			}
		}
		if len(match) == 0 {
			t.Errorf("%s: the rule %q names nothing this test knows; add its phrase to importRules", path, sentence)
			continue
		}
		rules++
		// The package's own imports, and those of the module's packages it
		// depends on.
		from := []*listedPackage{p}
		for _, d := range p.Deps {
			if dp := pkgs[d]; dp != nil && (d == module || strings.HasPrefix(d, module+"/")) {
				from = append(from, dp)
			}
		}
		for _, f := range from {
			for _, imp := range f.Imports {
				if imp == "C" || imp == module || strings.HasPrefix(imp, module+"/") && !bannedOwn(imp) {
					continue
				}
				ip := pkgs[imp]
				standard := ip != nil && ip.Standard
				for _, ok := range match {
					if ok(imp, standard) {
						via := ""
						if f != p {
							via = " (through " + f.ImportPath + ")"
						}
						t.Errorf("%s imports %s%s; its package comment says it must never import %s", path, imp, via, sentence)
						break
					}
				}
			}
		}
	}
	if rules < 12 {
		t.Fatalf("found %d rules; the package comments hold more", rules)
	}
}

// bannedOwn reports whether a package of this module is itself one a rule
// may ban (the store, the web server).
func bannedOwn(p string) bool { return p == module+"/sqldb" || p == module+"/web" }

// packageComment returns the package's doc.go, or its files' text when it
// has none: where the package comment is.
func packageComment(t *testing.T, p *listedPackage) string {
	names := p.GoFiles
	if _, err := os.Stat(filepath.Join(p.Dir, "doc.go")); err == nil {
		names = []string{"doc.go"}
	}
	var b strings.Builder
	for _, n := range names {
		src, err := os.ReadFile(filepath.Join(p.Dir, n))
		if err != nil {
			t.Fatal(err)
		}
		// Only the comment before the package clause.
		s := string(src)
		if i := strings.Index(s, "\npackage "); i >= 0 {
			s = s[:i]
		}
		for _, line := range strings.Split(s, "\n") {
			if c, ok := strings.CutPrefix(strings.TrimSpace(line), "//"); ok {
				b.WriteString(c + "\n")
			}
		}
	}
	return b.String()
}
