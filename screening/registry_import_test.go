package screening_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/screening"
)

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestImportAwardsCSV(t *testing.T) {
	opt := screening.ImportOptions{Retrieved: amparo.MustDate("2025-02-03")}
	res, err := screening.ImportAwardsCSV(open(t, "usaspending_awards.csv"), opt)
	var list screening.ImportErrorList
	if !errors.As(err, &list) {
		t.Fatalf("bad rows, all or nothing: err = %v", err)
	}
	type at struct {
		line, col int
		key       string
	}
	want := []at{{6, 10, "screen.registry.err.uei"}, {7, 4, "screen.registry.err.date"}, {8, 5, "screen.registry.err.amount_text"}}
	if len(list) != len(want) {
		t.Fatalf("errors: %v", list)
	}
	for i, w := range want {
		if e := list[i]; e.Line != w.line || e.Column != w.col || e.Key != w.key {
			t.Errorf("error %d = line %d column %d %s, want %+v", i, e.Line, e.Column, e.Key, w)
		}
	}
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	if es := list[0].Text(cat, "es"); !strings.HasPrefix(es, "Línea 6, columna 10 (recipient_uei): ") || strings.Contains(es, "screen.") {
		t.Errorf("in Spanish: %q", es)
	}
	if res.Records != 7 || res.Skipped != 1 {
		t.Errorf("records %d skipped %d", res.Records, res.Skipped)
	}

	// Partial keeps the good awards.
	opt.Partial = true
	res, err = screening.ImportAwardsCSV(open(t, "usaspending_awards.csv"), opt)
	if err != nil || len(res.Errors) != 3 {
		t.Fatalf("partial: %v %v", err, res.Errors)
	}
	c := res.Change
	if c.Replace || len(c.PutEntities) != 3 || len(c.PutRelations) != 1 || len(c.PutInvolvements) != 2 {
		t.Fatalf("change: %d entities, %d relations, %d involvements", len(c.PutEntities), len(c.PutRelations), len(c.PutInvolvements))
	}
	if e := c.PutEntities[0]; e.ID != "uei-exmpl0000001" || e.Name() != "EXAMPLE BARRIER BUILDERS LLC" || len(e.Identifiers) != 2 || e.Source.Retrieved != opt.Retrieved {
		t.Errorf("entity %+v", e)
	}
	if r := c.PutRelations[0]; r.Kind != amparo.RegistryParentOf || r.From != "uei-exmplparent1" || r.To != "uei-exmpl0000001" {
		t.Errorf("relation %+v", r)
	}
	inv := c.PutInvolvements[0]
	if inv.AmountCents != 1_500_000_00 || inv.AwardDate != amparo.MustDate("2019-05-15") || inv.Agency != "U.S. Customs and Border Protection" || inv.Role != amparo.RegistryPrime {
		t.Errorf("two transactions of one award: %+v", inv)
	}
	if inv := c.PutInvolvements[1]; inv.AmountCents != 0 || inv.Location != "Sample Valley, TX" {
		t.Errorf("deobligation: %+v", inv)
	}
}

func TestImportAwardsCSV_MissingColumns(t *testing.T) {
	_, err := screening.ImportAwardsCSV(strings.NewReader("recipient_name,award_id_piid\nX,Y\n"), screening.ImportOptions{})
	var list screening.ImportErrorList
	if !errors.As(err, &list) || len(list) < 3 || list[0].Key != "screen.registry.err.missing_column" {
		t.Fatalf("err = %v", err)
	}
}

func TestIsBorderBarrierAward(t *testing.T) {
	for _, c := range []struct {
		agency, sub, desc string
		want              bool
	}{
		{"Department of Homeland Security", "U.S. Customs and Border Protection", "BORDER WALL SYSTEM CONSTRUCTION", true},
		{"Department of Defense", "Department of the Army", "RGV levee wall", true},
		{"Department of Defense", "U.S. Army Corps of Engineers", "Bollard fence replacement", true},
		{"Department of Homeland Security", "U.S. Customs and Border Protection", "JANITORIAL SERVICES", false},
		{"Department of Agriculture", "Forest Service", "border fence on the national forest", false},
	} {
		if got := screening.IsBorderBarrierAward(c.agency, c.sub, "", c.desc); got != c.want {
			t.Errorf("%q / %q: %v, want %v", c.sub, c.desc, got, c.want)
		}
	}
}

func TestImportRegistryCSV_RelationsThatPointNowhere(t *testing.T) {
	res, err := screening.ImportRegistryCSV(open(t, "registry_dangling.csv"), screening.ImportOptions{Reason: "test"})
	var list screening.ImportErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("err = %v", err)
	}
	// Semicolons, columns in another order: the reader's doing.
	if res.Delimiter != ';' || list[0].Line != 5 || list[0].Header != "to" || list[0].Key != "screen.registry.err.dangling" ||
		list[1].Line != 7 || list[1].Header != "entity" {
		t.Errorf("errors: %+v %+v", list[0], list[1])
	}
	if !res.Change.Replace || len(res.Change.PutRelations) != 1 || len(res.Change.PutInvolvements) != 1 {
		t.Errorf("change %+v", res.Change)
	}
}

func TestImportRegistryCSV_BadRows(t *testing.T) {
	src := "record,id,name,uei,ein,state_registration,source_url,retrieved\n" +
		"entity,good,Example Good LLC,EXMPL0000021,12-3456789,CA:C1234567,https://example.org/a,2025-01-02\n" +
		"entity,bad-ein,Example Bad EIN,,123,,https://example.org/a,2025-01-02\n" +
		"entity,no-source,Example No Source,,,,,2025-01-02\n" +
		"entity,bad-date,Example Bad Date,,,,https://example.org/a,yesterday\n" +
		"entity,Bad ID,Example Bad ID,,,,https://example.org/a,2025-01-02\n" +
		"company,x,Example Wrong Record,,,,https://example.org/a,2025-01-02\n" +
		"entity,,,,,,https://example.org/a,2025-01-02\n"
	res, err := screening.ImportRegistryCSV(strings.NewReader(src), screening.ImportOptions{Partial: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line   int
		header string
	}{{3, "ein"}, {4, "source_url"}, {5, "retrieved"}, {6, "id"}, {7, "record"}, {8, "id"}}
	if len(res.Errors) != len(want) {
		t.Fatalf("errors: %v", res.Errors)
	}
	for i, w := range want {
		if e := res.Errors[i]; e.Line != w.line || e.Header != w.header {
			t.Errorf("error %d: %v, want line %d (%s)", i, e, w.line, w.header)
		}
	}
	if len(res.Change.PutEntities) != 1 || res.Change.PutEntities[0].Identifiers[2].State != "CA" {
		t.Errorf("good rows: %+v", res.Change.PutEntities)
	}
}

func TestImportRegistryCSV_WholeFileProblems(t *testing.T) {
	for name, src := range map[string]string{
		"empty":          "",
		"unknown column": "record,id,colour\nentity,x,red\n",
		"no id":          "record,name\nentity,X\n",
		"binary":         "record,id\n\x00\x01\x02",
	} {
		_, err := screening.ImportRegistryCSV(strings.NewReader(src), screening.ImportOptions{})
		var list screening.ImportErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestParseAwardAmount(t *testing.T) {
	for in, want := range map[string]int64{"1234.5": 123450, "$1,234.50": 123450, "-50.25": -5025, "0": 0, "0.005": 1} {
		if got, err := screening.ParseAwardAmount(in); err != nil || got != want {
			t.Errorf("%q = %d %v, want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "a lot", "1e9", "1.2.3", "--5", "NaN", "Inf"} {
		if _, err := screening.ParseAwardAmount(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// FuzzImportRegistry: no input makes either import panic, every error
// says where, and every record it accepts is valid.
func FuzzImportRegistry(f *testing.F) {
	for _, name := range []string{"usaspending_awards.csv", "registry_dangling.csv", "../data/registry.csv"} {
		if b, err := os.ReadFile("testdata/" + name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("record,id,name,source_url,retrieved\nentity,a,\"A\"\"\",https://x.example,2025-01-01\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, imp := range []func(*bytes.Reader) (*screening.ImportResult, error){
			func(r *bytes.Reader) (*screening.ImportResult, error) {
				return screening.ImportRegistryCSV(r, screening.ImportOptions{Partial: true})
			},
			func(r *bytes.Reader) (*screening.ImportResult, error) {
				return screening.ImportAwardsCSV(r, screening.ImportOptions{Partial: true, Retrieved: amparo.MustDate("2025-01-01")})
			},
		} {
			res, err := imp(bytes.NewReader(b))
			if err != nil {
				var list screening.ImportErrorList
				if !errors.As(err, &list) {
					t.Fatalf("not an ImportErrorList: %v", err)
				}
				continue
			}
			for _, e := range res.Errors {
				if e.Line == 0 || e.Key == "" {
					t.Fatalf("an error of a row without its line: %+v", e)
				}
			}
			for _, e := range res.Change.PutEntities {
				if err := e.Validate(); err != nil {
					t.Fatalf("accepted an invalid entity: %v", err)
				}
			}
			for _, v := range res.Change.PutInvolvements {
				if err := v.Validate(); err != nil {
					t.Fatalf("accepted an invalid involvement: %v", err)
				}
			}
		}
	})
}
