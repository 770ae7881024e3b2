package csvimport

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/csvexport"
)

// today is the date every test parses on.
var today = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func parseFile(t *testing.T, name string, opt Options) (*Result, error) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if opt.Now.IsZero() {
		opt.Now = today
	}
	return Parse(bytes.NewReader(b), opt)
}

// brief writes an error as line:column:field:code, args.
func brief(e *Error) string {
	s := fmt.Sprintf("%d:%d:%s:%s", e.Line, e.Column, e.Field, e.Code)
	if len(e.Args) > 0 {
		s += fmt.Sprint(e.Args)
	}
	return s
}

func briefs(es []*Error) []string {
	var s []string
	for _, e := range es {
		s = append(s, brief(e))
	}
	return s
}

// TestParse_Corpus parses every awkward file of testdata and checks the
// exact problems reported, the rows kept, the encoding and the delimiter.
func TestParse_Corpus(t *testing.T) {
	for _, tc := range []struct {
		file      string
		fileErrs  []string // whole-file problems; then no result
		errs      []string // row problems
		review    []string
		lines     []int // lines of the rows kept
		encoding  string
		delimiter rune
	}{
		{file: "bom.csv", lines: []int{2, 3}, encoding: EncodingUTF8BOM},
		{file: "latin1.csv", lines: []int{2, 3}, encoding: EncodingWindows1252},
		{file: "mixed_encoding.csv", lines: []int{2, 3}, encoding: EncodingMixed},
		{file: "utf16.csv", lines: []int{2}, encoding: EncodingUTF16, delimiter: '\t'},
		{file: "crlf.csv", lines: []int{2, 4},
			errs: []string{"3:2:date_of_birth:bad_date[1990-13-01]"}},
		{file: "mac_cr.csv", lines: []int{2},
			errs: []string{"3:2:date_of_birth:bad_date[1990-02-30]"}},
		{file: "quoted_newlines.csv", lines: []int{2, 4}, errs: []string{
			"7:1:legal_name:multiline",
			"9:2:date_of_birth:bad_date[1990-02-30]",
		}},
		{file: "semicolon.csv", lines: []int{2, 3}, delimiter: ';'},
		{file: "us_dates.csv", lines: []int{2, 3}, errs: []string{
			"4:2:date_of_birth:day_first_date[25/03/1990 1990-03-25]",
			"5:2:date_of_birth:bad_date[02/30/1990]",
		}},
		{file: "ambiguous_dates.csv", errs: []string{
			"2:2:date_of_birth:ambiguous_date[3/4/85 1985-03-04 2085-03-04]",
			"3:2:date_of_birth:ambiguous_date[12/31/99 1999-12-31 2099-12-31]",
		}},
		{file: "bad_date.csv", lines: []int{2, 3}, errs: []string{
			"4:2:date_of_birth:bad_date[1990-02-30]",
			"5:2:date_of_birth:bad_date[yesterday]",
			"6:2:date_of_birth:future_date[2031-01-01]",
			"7:2:date_of_birth:date_out_of_range[1850-01-01]",
		}},
		{file: "missing_column.csv", fileErrs: []string{
			"0:0:preferred_language:missing_column[preferred_language idioma_preferido]",
			"0:0:immigration_situation:missing_column[immigration_situation situacion_migratoria]",
		}},
		{file: "unknown_column.csv", fileErrs: []string{
			"1:2::unknown_column[Favourite Color]",
			"1:6::unknown_column[Notas]",
		}},
		{file: "duplicate_column.csv", fileErrs: []string{"1:6:phone:duplicate_column[Teléfono 2]"}},
		{file: "too_many_fields.csv", lines: []int{2}, errs: []string{
			"3:9::too_many_fields[9 8]",
			"4:0::too_few_fields[4 8]",
		}},
		{file: "empty.csv", fileErrs: []string{"0:0::empty_file"}},
		{file: "bom_only.csv", fileErrs: []string{"0:0::empty_file"}},
		{file: "header_only.csv", fileErrs: []string{"0:0::no_rows"}},
		{file: "binary.csv", fileErrs: []string{"0:0::not_text"}},
		// An empty immigration situation is not an error: it is not known,
		// and never a scored fact.
		{file: "empty_fields.csv", lines: []int{6}, errs: []string{
			"2:1:legal_name:required",
			"3:1:legal_name:required",
			"4:3:preferred_language:required",
		}},
		{file: "bad_quotes.csv", lines: []int{4}, errs: []string{
			"2:1:legal_name:bad_quote[5]",
			"3:1:legal_name:bad_quote[14]",
			"5:8:address_line1:unterminated_quote",
		}},
		{file: "bad_values.csv", lines: []int{5}, errs: []string{
			"2:3:preferred_language:bad_language[klingon]",
			"2:4:immigration_situation:bad_situation[refugee]",
			"2:6:facing_removal:bad_yes_no[maybe]",
			"2:8:phone:bad_phone[555]",
			"2:9:email:bad_email[ana@]",
			"2:10:country_of_birth:bad_country[Atlantis]",
			"2:11:detained:bad_yes_no[2]",
			"3:5:tps_country:tps_country_missing",
			"4:5:tps_country:tps_country_not_tps",
			"4:7:next_hearing:hearing_not_removal",
		}},
		{file: "too_long.csv", errs: []string{
			"2:1:legal_name:too_long[64]",
			"3:8:address_line1:too_long[200]",
		}},
		{file: "unnamed_column.csv", lines: []int{2}, errs: []string{"3:6::unnamed_value"}},
		{file: "duplicates.csv", lines: []int{2, 4, 5},
			errs:   []string{"3:1:legal_name:duplicate_row[2]"},
			review: []string{"4:1:legal_name:likely_duplicate[2]", "5:1:legal_name:likely_duplicate[2]"}},
		{file: "example_row.csv", lines: []int{3}, encoding: EncodingUTF8BOM,
			errs: []string{"2:1:legal_name:example_row"}},
		{file: "formula_roundtrip.csv", lines: []int{2, 3}},
	} {
		t.Run(strings.TrimSuffix(tc.file, ".csv"), func(t *testing.T) {
			res, err := parseFile(t, tc.file, Options{})
			if tc.fileErrs != nil {
				var list ErrorList
				if !errors.As(err, &list) {
					t.Fatalf("err = %v, want an ErrorList", err)
				}
				if got := briefs(list); !slices.Equal(got, tc.fileErrs) {
					t.Errorf("file errors:\n got %q\nwant %q", got, tc.fileErrs)
				}
				if res != nil {
					t.Error("a result with whole-file errors")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := briefs(res.Errors); !slices.Equal(got, tc.errs) {
				t.Errorf("errors:\n got %q\nwant %q", got, tc.errs)
			}
			if got := briefs(res.Review); !slices.Equal(got, tc.review) {
				t.Errorf("review:\n got %q\nwant %q", got, tc.review)
			}
			var lines []int
			for _, r := range res.Rows {
				lines = append(lines, r.Line)
			}
			if !slices.Equal(lines, tc.lines) {
				t.Errorf("rows on lines %v, want %v", lines, tc.lines)
			}
			if tc.encoding == "" {
				tc.encoding = EncodingUTF8
			}
			if res.Encoding != tc.encoding {
				t.Errorf("encoding %q, want %q", res.Encoding, tc.encoding)
			}
			if tc.delimiter == 0 {
				tc.delimiter = ','
			}
			if res.Delimiter != tc.delimiter {
				t.Errorf("delimiter %q, want %q", res.Delimiter, tc.delimiter)
			}
			for _, e := range append(res.Errors, res.Review...) {
				for _, lang := range []string{"en", "es"} {
					if m := e.Message(lang); strings.Contains(m, "%!") {
						t.Errorf("%s message %q", lang, m)
					}
				}
			}
		})
	}
}

// TestParse_Values checks what the rows say, read from awkward files.
func TestParse_Values(t *testing.T) {
	rows := func(file string) []Row {
		res, err := parseFile(t, file, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return res.Rows
	}
	t.Run("BOM", func(t *testing.T) {
		got := rows("bom.csv")[0].Intake
		want := Intake{LegalName: "José Ejemplo Pérez", BirthDate: amparo.MustDate("1990-03-25"), Language: "es",
			Situation: "tps", TPSCountry: "SV", FacingRemoval: true, NextHearing: amparo.MustDate("2030-05-01"),
			Address: amparo.Address{Line1: "100 Calle Ficticia"}}
		if got != want {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
	})
	t.Run("Latin1SpanishHeadersAndValues", func(t *testing.T) {
		r := rows("latin1.csv")
		if r[0].LegalName != "Niño Ejemplo Muñoz" || r[0].Language != "es" || r[0].Situation != "tps" ||
			r[0].TPSCountry != "HN" || !r[0].FacingRemoval {
			t.Errorf("row 1: %+v", r[0].Intake)
		}
		if r[1].LegalName != "Ramón Prueba Ibáñez" || r[1].Language != "en" || r[1].Situation != "asylum_seeker" {
			t.Errorf("row 2: %+v", r[1].Intake)
		}
	})
	t.Run("QuotedNewlines", func(t *testing.T) {
		if got := rows("quoted_newlines.csv")[1].Address.Line1; got != "Calle Falsa 1\nPiso 3\nPuerta B" {
			t.Errorf("address %q", got)
		}
	})
	t.Run("Semicolons", func(t *testing.T) {
		r := rows("semicolon.csv")[0]
		if r.LegalName != "Prueba, Ana Ejemplo" || r.Address.Line1 != "Calle Ficticia 1, Apto. 2" || r.Situation != "pending_case" {
			t.Errorf("row: %+v", r.Intake)
		}
	})
	t.Run("USDates", func(t *testing.T) {
		r := rows("us_dates.csv")
		if r[0].BirthDate.String() != "1990-03-25" || r[0].NextHearing.String() != "2030-07-04" || r[1].BirthDate.String() != "1990-03-05" {
			t.Errorf("dates %s %s %s", r[0].BirthDate, r[0].NextHearing, r[1].BirthDate)
		}
	})
	t.Run("FormulaApostropheRemoved", func(t *testing.T) {
		r := rows("formula_roundtrip.csv")
		if r[0].Phone != "+1 213 555 0100" || r[1].LegalName != `=HYPERLINK("http://example.com")` {
			t.Errorf("phone %q, name %q", r[0].Phone, r[1].LegalName)
		}
	})
	t.Run("SpanishSynonyms", func(t *testing.T) {
		r := rows("bad_values.csv")[0]
		if r.Language != "es-MX" || r.Situation != "lpr" || r.CountryOfBirth != "SV" || !r.Detained || r.FacingRemoval {
			t.Errorf("row: %+v", r.Intake)
		}
	})
}

// TestParse_Messages pins the words of a few messages in both languages.
func TestParse_Messages(t *testing.T) {
	res, err := parseFile(t, "quoted_newlines.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := res.Errors[1]
	for lang, want := range map[string]string{
		"en":    `Line 9, column 2 (date_of_birth): "1990-02-30" is not a date; write it as YYYY-MM-DD (1990-03-25) or MM/DD/YYYY (03/25/1990)`,
		"es":    `Línea 9, columna 2 (date_of_birth): "1990-02-30" no es una fecha; escríbala como AAAA-MM-DD (1990-03-25) o MM/DD/AAAA (03/25/1990)`,
		"es-MX": `Línea 9, columna 2 (date_of_birth): "1990-02-30" no es una fecha; escríbala como AAAA-MM-DD (1990-03-25) o MM/DD/AAAA (03/25/1990)`,
		"fr":    `Line 9, column 2 (date_of_birth): "1990-02-30" is not a date; write it as YYYY-MM-DD (1990-03-25) or MM/DD/YYYY (03/25/1990)`,
	} {
		if got := e.Message(lang); got != want {
			t.Errorf("%s:\n got %s\nwant %s", lang, got, want)
		}
	}
	if e.Error() != e.Message("en") {
		t.Error("Error() is not the English message")
	}

	// The column is named as the file names it.
	res, _ = Parse(strings.NewReader("Nombre Legal;Fecha de Nacimiento;Idioma;Situación Migratoria\nAna Ejemplo Prueba;31/12/1990;es;daca\n"), Options{Now: today})
	want := `Línea 2, columna 2 (Fecha de Nacimiento): "31/12/1990" no es mes/día/año; si es día/mes/año, escriba 1990-12-31`
	if got := res.Errors[0].Message("es"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	_, err = parseFile(t, "missing_column.csv", Options{})
	want = `falta la columna obligatoria "idioma_preferido" (en inglés: "preferred_language")`
	if got := err.(ErrorList)[0].Message("es"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestMessages_EveryCode checks that every code's message has every
// complete language of the catalog, with the same verbs.
func TestMessages_EveryCode(t *testing.T) {
	cat := catalog()
	verbs := map[string]map[string]int{} // lang → key → verbs
	for _, lang := range cat.Languages() {
		verbs[lang] = map[string]int{}
		for k, m := range cat.Messages(lang) {
			if strings.HasPrefix(k, "import.err.") {
				verbs[lang][k] = strings.Count(m, "%")
			}
		}
	}
	if len(verbs["en"]) < 30 {
		t.Fatalf("only %d import.err keys in English", len(verbs["en"]))
	}
	for k, n := range verbs["en"] {
		for _, lang := range cat.Languages() {
			if m, ok := verbs[lang][k]; !ok || m != n {
				t.Errorf("%s in %s: %d verbs (present %v), %d in English", k, lang, m, ok, n)
			}
		}
	}
}

func TestParse_Limits(t *testing.T) {
	file := func(rows int) string {
		var b strings.Builder
		b.WriteString("legal_name,date_of_birth,preferred_language,immigration_situation\n")
		for i := range rows {
			fmt.Fprintf(&b, "Persona %d Ejemplo Prueba,1990-01-01,es,daca\n", i)
		}
		return b.String()
	}
	t.Run("FileTooLarge", func(t *testing.T) {
		_, err := Parse(strings.NewReader(file(10)), Options{MaxBytes: 100, Now: today})
		var list ErrorList
		if !errors.As(err, &list) || brief(list[0]) != "0:0::file_too_large[100]" {
			t.Fatalf("err = %v", err)
		}
		if want := "el archivo supera el límite de 100 bytes; divídalo en archivos más pequeños"; list[0].Message("es") != want {
			t.Errorf("message %q", list[0].Message("es"))
		}
	})
	t.Run("TooManyRows", func(t *testing.T) {
		_, err := Parse(strings.NewReader(file(11)), Options{MaxRows: 10, Now: today})
		var list ErrorList
		if !errors.As(err, &list) || brief(list[0]) != "0:0::too_many_rows[10]" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("AtTheLimits", func(t *testing.T) {
		f := file(10)
		res, err := Parse(strings.NewReader(f), Options{MaxRows: 10, MaxBytes: int64(len(f)), Now: today})
		if err != nil || len(res.Rows) != 10 {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("LongValue", func(t *testing.T) {
		long := strings.Repeat("9", 21)
		res, err := Parse(strings.NewReader(file(0)+"Ana Ejemplo Prueba,"+long+",es,daca\n"), Options{Now: today})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Errors[0]; got.Code != CodeTooLong {
			t.Errorf("got %s", brief(got))
		}
		if got := shown(strings.Repeat("é", 50)); got != strings.Repeat("é", quoteMax)+"…" {
			t.Errorf("shown = %q", got)
		}
	})
}

func TestTemplate(t *testing.T) {
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) {
			tmpl := Template(lang)
			if !bytes.HasPrefix(tmpl, bomUTF8) || bytes.Count(tmpl, []byte("\r\n")) != 2 {
				t.Fatalf("template:\n%s", tmpl)
			}
			// Left as it is, the example row is refused.
			res, err := Parse(bytes.NewReader(tmpl), Options{Now: today})
			if err != nil {
				t.Fatal(err)
			}
			if got := briefs(res.Errors); !slices.Equal(got, []string{"2:1:legal_name:example_row"}) {
				t.Errorf("errors %q", got)
			}
			// Every other value of the example is valid.
			edited := bytes.Replace(tmpl, []byte(exampleBirth), []byte("1990-02-01"), 1)
			res, err = Parse(bytes.NewReader(edited), Options{Now: today})
			if err != nil || len(res.Errors) != 0 || len(res.Rows) != 1 {
				t.Fatalf("err %v, errors %q", err, briefs(res.Errors))
			}
			in := res.Rows[0].Intake
			if in.Situation != "tps" || !in.FacingRemoval || in.TPSCountry != "SV" || in.Email != "ana.ejemplo@example.org" {
				t.Errorf("example: %+v", in)
			}
		})
	}
	if !bytes.Contains(Template("es"), []byte("nombre_legal,")) || !bytes.Contains(Template("en"), []byte("legal_name,")) {
		t.Error("template headers are not in their language")
	}
}

// TestParse_ExportRoundTrip imports a file csvexport wrote: the apostrophes
// that neutralize formulas come off again.
func TestParse_ExportRoundTrip(t *testing.T) {
	var b bytes.Buffer
	err := csvexport.NewWriter(&b).WriteAll([][]string{
		{"legal_name", "date_of_birth", "preferred_language", "immigration_situation", "phone", "address_line1"},
		{"Ana Ejemplo Prueba", "1990-03-25", "es", "daca", "+1 213 555 0100", "-"},
		{"=Luis Ejemplo Prueba", "1990-03-26", "es", "daca", "", "@home"},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse(&b, Options{Now: today})
	if err != nil || len(res.Errors) > 0 {
		t.Fatalf("err %v, errors %q", err, briefs(res.Errors))
	}
	if r := res.Rows[0]; r.Phone != "+1 213 555 0100" || r.Address.Line1 != "-" || res.Encoding != EncodingUTF8BOM {
		t.Errorf("row %+v", r.Intake)
	}
	if r := res.Rows[1]; r.LegalName != "=Luis Ejemplo Prueba" || r.Address.Line1 != "@home" {
		t.Errorf("row %+v", r.Intake)
	}
}
