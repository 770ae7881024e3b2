package main

import (
	"errors"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/report"
)

// reportPDF writes the release's PDF report.
func (m *Main) reportPDF(r *amparo.ReportRelease, d *report.Document, file string) error {
	return errors.New("the PDF report is not built yet")
}
