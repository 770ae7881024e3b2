package csvimport

import (
	"bytes"

	"github.com/amparo-project/amparo/csvexport"
)

// example is the template's one row, a fictional person, in each
// language; Parse refuses it (CodeExampleRow) if it is left in.
var example = map[string][numColumns]string{
	"en": {exampleName, "Ana", exampleBirth, "es", "213-555-0100", "ana.ejemplo@example.org",
		"100 Example Street", "Apt 1", "Example City", "CA", "00000", "SV",
		"tps", "SV", "yes", "2030-01-15", "no", "no", "no", "no", "2025-01-15", "EXAMPLE-1"},
	"es": {exampleName, "Ana", exampleBirth, "es", "213-555-0100", "ana.ejemplo@example.org",
		"100 Calle Ejemplo", "Apto. 1", "Ciudad Ejemplo", "CA", "00000", "SV",
		"tps", "SV", "sí", "2030-01-15", "no", "no", "no", "no", "2025-01-15", "EJEMPLO-1"},
}

// Template returns the CSV template for lang ("en" or "es"; anything else is
// English): the header line and one fictional example row. csvexport writes
// it, as it writes exports: with a UTF-8 byte order mark, so that Excel shows
// accents right, and CRLF line ends.
func Template(lang string) []byte {
	es := pick(lang) == &spanish
	header := make([]string, numColumns)
	for i, c := range columns {
		header[i] = c.name
		if es {
			header[i] = c.es
		}
	}
	row := example["en"]
	if es {
		row = example["es"]
	}
	var b bytes.Buffer
	csvexport.NewWriter(&b).WriteAll([][]string{header, row[:]}) // writing to a bytes.Buffer does not fail
	return b.Bytes()
}
