package report

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/disclosure"
)

// Show returns a release and its published document: approved releases
// to anyone, the others to the program office.
func (s *Service) Show(ctx context.Context, id string) (*amparo.ReportRelease, *Document, error) {
	r, err := s.Store.FindReportRelease(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	d, err := Decode(r)
	if err != nil {
		return nil, nil, err
	}
	return r, d, nil
}

// Published lists the approved releases, newest first.
func (s *Service) Published(ctx context.Context) ([]*amparo.ReportRelease, error) {
	return s.Store.FindReportReleases(ctx, amparo.ReportReleaseFilter{Approved: true})
}

// Decode reads a release's published document.
func Decode(r *amparo.ReportRelease) (*Document, error) {
	var d Document
	if err := json.Unmarshal(r.Public, &d); err != nil {
		return nil, fmt.Errorf("report: the release %s: %w", r.ID, err)
	}
	return &d, nil
}

// CSVHeader is the first row of a release's CSV.
var CSVHeader = []string{"table", "dimension_1", "category_1", "dimension_2", "category_2", "count", "suppressed", "reason", "percent", "unstable",
	"cents", "per_cents", "floor_percent", "ceiling", "met"}

// WriteCSV writes every published cell of d, margins included, with the
// values of its JSON: a suppressed cell has an empty count.
func WriteCSV(w io.Writer, d *Document) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, t := range d.Tables {
		for _, c := range t.Cells {
			row := []string{t.Name, "", "", "", ""}
			for i, k := range c.Key {
				row[1+2*i], row[2+2*i] = t.Dims[i].Name, k
			}
			row = append(row, FormatCount(c), strconv.FormatBool(c.Suppressed), string(c.Reason), FormatPercent(c), strconv.FormatBool(c.Unstable),
				FormatCents(c.Cents), FormatCents(c.PerCents), FormatFloor(c), strconv.FormatBool(c.Ceiling), FormatMet(c))
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// FormatCount is a cell's count as the CSV, the dashboard and the PDF
// write it: "" when suppressed.
func FormatCount(c Cell) string {
	if c.Count == nil {
		return ""
	}
	return strconv.FormatInt(*c.Count, 10)
}

// FormatCents is a money cell's cents as the CSV writes them, "" for
// none (suppressed, or not a money cell).
func FormatCents(c *int64) string {
	if c == nil {
		return ""
	}
	return strconv.FormatInt(*c, 10)
}

// FormatFloor is a compliance cell's floor, "" for none.
func FormatFloor(c Cell) string {
	if c.Floor == nil {
		return ""
	}
	return strconv.Itoa(*c.Floor)
}

// FormatMet is whether a compliance cell's floor is kept, "" when not
// known (suppressed, or nothing spent).
func FormatMet(c Cell) string {
	if c.Met == nil {
		return ""
	}
	return strconv.FormatBool(*c.Met)
}

// FormatPercent is a cell's percentage as JSON writes it, "" for none.
func FormatPercent(c Cell) string {
	if c.Percent == nil {
		return ""
	}
	return strconv.FormatFloat(*c.Percent, 'f', -1, 64)
}

// IsTotal reports whether a key is a margin's.
func IsTotal(k string) bool { return k == disclosure.Total }
