package csvimport

import (
	"bytes"

	"github.com/amparo-project/amparo/csvexport"
	"github.com/amparo-project/amparo/locale"
)

// example is the template's one row, a fictional person; the catalog's
// "import.example.COLUMN" gives the words of a column in the reader's
// language (a fictional street, city and reference). Parse refuses the row
// (CodeExampleRow) if it is left in.
var example = [numColumns]string{exampleName, "Ana", exampleBirth, "es", "213-555-0100", "ana.ejemplo@example.org",
	"", "", "", "CA", "00000", "SV", "tps", "SV", "", "2030-01-15", "", "", "", "", "2025-01-15", ""}

// Template returns the CSV template for lang in the words of the embedded
// catalog: see TemplateIn.
func Template(lang string) []byte { return TemplateIn(catalog(), catalog().Match("", lang)) }

// TemplateIn returns the CSV template for lang, in the words of cat: the
// header line (the catalog's "import.column.NAME", each a header Parse
// reads) and one fictional example row. csvexport writes it, as it writes
// exports: with a UTF-8 byte order mark, so that Excel shows accents right,
// and CRLF line ends.
func TemplateIn(cat *locale.Catalog, lang string) []byte {
	header := make([]string, numColumns)
	row := example
	for i, c := range columns {
		header[i] = cat.T(lang, "import.column."+c.name)
		if k := "import.example." + c.name; cat.Has(k) {
			row[i] = cat.T(lang, k)
		}
	}
	var b bytes.Buffer
	csvexport.NewWriter(&b).WriteAll([][]string{header, row[:]}) // writing to a bytes.Buffer does not fail
	return b.Bytes()
}
