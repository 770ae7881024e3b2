package screening_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/screening"
)

func TestReadVendorsCSV(t *testing.T) {
	t.Parallel()
	// Windows-1252, semicolons, columns in another order and case.
	file := []byte("UEI;Name;aliases\r\nZPHR5678EFGH;Ejemplo Construcci\xf3n S.A. de C.V.;Ejemplo Obras|EO\r\n;;\r\nSHORT;Ejemplo Dos\r\n;Ejemplo Tres\r\n")
	_, _, err := screening.ReadVendorsCSV(bytes.NewReader(file), screening.ImportOptions{})
	var list screening.ImportErrorList
	if !errors.As(err, &list) || len(list) != 1 || list[0].Line != 4 || list[0].Column != 1 {
		t.Fatalf("all or nothing: %v", err)
	}
	vs, errs, err := screening.ReadVendorsCSV(bytes.NewReader(file), screening.ImportOptions{Partial: true})
	if err != nil || len(errs) != 1 || len(vs) != 2 {
		t.Fatalf("partial: %v %v %d", err, errs, len(vs))
	}
	if vs[0].Name != "Ejemplo Construcción S.A. de C.V." || len(vs[0].Aliases) != 2 || vs[0].Identifiers[0].Value != "ZPHR5678EFGH" || vs[1].Name != "Ejemplo Tres" {
		t.Fatalf("vendors: %+v %+v", vs[0], vs[1])
	}
	if !strings.Contains(errs[0].Error(), "UEI") {
		t.Errorf("the error: %v", errs[0])
	}
	// A row with a UEI and no name names the name column.
	_, errs, _ = screening.ReadVendorsCSV(strings.NewReader("name,uei\n,ZPHR5678EFGH\n"), screening.ImportOptions{Partial: true})
	if len(errs) != 1 || errs[0].Line != 2 || errs[0].Column != 1 {
		t.Fatalf("no name: %v", errs)
	}
	// No name column: the file is refused.
	if _, _, err := screening.ReadVendorsCSV(strings.NewReader("uei\nZPHR5678EFGH\n"), screening.ImportOptions{}); err == nil {
		t.Fatal("a file without a name column was read")
	}
	// A column of another layout is named with this file's columns, in
	// the reader's language (it read "not a column of the registry").
	_, _, err = screening.ReadVendorsCSV(strings.NewReader("nombre,uei\nEjemplo,\n"), screening.ImportOptions{})
	cat, lerr := locale.Load()
	if lerr != nil {
		t.Fatal(lerr)
	}
	if !errors.As(err, &list) || !strings.Contains(list.Text(cat, "es"), "Línea 1, columna 1 (nombre): «nombre» no es una columna de este archivo: sus columnas son name, aliases, uei") {
		t.Errorf("an unknown column: %v", err)
	}
}

func FuzzReadVendorsCSV(f *testing.F) {
	f.Add([]byte("name,uei,ein\nEjemplo LLC,ZPHR5678EFGH,12-3456789\n"))
	f.Add([]byte("UEI;Name\r\nSHORT;\xff\xfe\r\n"))
	f.Add([]byte("\xef\xbb\xbfname\n\"unterminated\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		vs, errs, err := screening.ReadVendorsCSV(bytes.NewReader(b), screening.ImportOptions{Partial: true})
		if err != nil {
			return
		}
		for _, v := range vs {
			if strings.TrimSpace(v.Name) == "" {
				t.Fatalf("a vendor without a name: %+v", v)
			}
		}
		for _, e := range errs {
			if e.Line < 1 {
				t.Fatalf("an error without its line: %+v", e)
			}
		}
	})
}
