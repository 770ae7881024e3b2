package csvimport_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/amparo-project/amparo/csvimport"
)

// TestReadTable: any layout, read as intake files are: the encoding and
// delimiter found, physical lines kept, a misplaced quote reported on its
// row, blank rows left out.
func TestReadTable(t *testing.T) {
	src := "name;note\r\nAcme Constructora;\"two\nlines\"\r\n\r\nBad;x\"y\"z\r\nÑandú;ok\r\n"
	u := utf16.Encode([]rune(src))
	b := []byte{0xFF, 0xFE}
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	tab, err := csvimport.ReadTable(bytes.NewReader(b), csvimport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Encoding != csvimport.EncodingUTF16 || tab.Delimiter != ';' || strings.Join(tab.Header, "|") != "name|note" {
		t.Fatalf("table %+v", tab)
	}
	if len(tab.Records) != 2 || tab.Records[0].Line != 2 || tab.Records[1].Line != 6 || tab.Records[1].Fields[0] != "Ñandú" {
		t.Errorf("records %+v", tab.Records)
	}
	if len(tab.Errors) != 1 || tab.Errors[0].Line != 5 || tab.Errors[0].Code != csvimport.CodeBadQuote || tab.Errors[0].Header != "note" {
		t.Errorf("errors %+v", tab.Errors)
	}
	for _, bad := range []string{"", "a,b\n", "a\x00b"} {
		var list csvimport.ErrorList
		if _, err := csvimport.ReadTable(strings.NewReader(bad), csvimport.Options{}); !errors.As(err, &list) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := csvimport.ReadTable(strings.NewReader("a\n1\n2\n3\n"), csvimport.Options{MaxRows: 2}); err == nil {
		t.Error("too many rows read")
	}
}
