package main

import (
	"bytes"
	"os"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/document"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/report"
)

// reportPDF writes the release's PDF report, in lang (the catalog's
// nearest language), to file.
func (m *Main) reportPDF(r *amparo.ReportRelease, d *report.Document, lang, file string) error {
	cat, err := locale.Load()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := document.New(cat).Report(&buf, cat.Match(lang, ""), d, r.Hash); err != nil {
		return err
	}
	return os.WriteFile(file, buf.Bytes(), 0o644)
}
