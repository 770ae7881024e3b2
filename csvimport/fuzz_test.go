package csvimport

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse checks that no input makes Parse panic, and that what it
// reports is consistent: rows and errors in file order, on lines of the
// file, with messages that render in both languages.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.csv")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(Template("en"))
	f.Add(Template("es"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Parse(bytes.NewReader(data), Options{Now: today, MaxRows: 1000})
		if err != nil {
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 || res != nil {
				t.Fatalf("err %v (%T), result %v", err, err, res)
			}
			for _, e := range list {
				render(t, data, e)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		last := 0
		for _, r := range res.Rows {
			if r.Line <= last || r.Line > lines {
				t.Fatalf("row on line %d after %d, of %d", r.Line, last, lines)
			}
			last = r.Line
			if r.LegalName == "" || r.Language == "" || len(r.Key) != 32 { // the situation may be left unanswered
				t.Fatalf("row %+v", r)
			}
		}
		last = 0
		for _, e := range res.Errors {
			if e.Line < last || e.Line < 1 || e.Line > lines {
				t.Fatalf("error on line %d after %d, of %d", e.Line, last, lines)
			}
			last = e.Line
			render(t, data, e)
		}
		if len(res.Rows) > res.Records {
			t.Fatalf("%d rows of %d records", len(res.Rows), res.Records)
		}
	})
}

// render checks that e renders in both languages, its arguments matching
// the verbs of its messages (fmt writes %! where they do not).
func render(t *testing.T, data []byte, e *Error) {
	for _, lang := range []string{"en", "es"} {
		if m := e.Message(lang); m == "" || strings.Contains(m, "%!") && !bytes.Contains(data, []byte("%!")) {
			t.Fatalf("%s message %q of %+v", lang, m, e)
		}
	}
}
