package csvimport

import (
	"bytes"
	"encoding/csv"
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
// English): the header line and one fictional example row. It starts with a
// UTF-8 byte order mark, so that Excel shows accents right.
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
	b.Write(bomUTF8)
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	w.Write(header)
	w.Write(row[:])
	w.Flush() // writing to a bytes.Buffer does not fail
	return b.Bytes()
}
