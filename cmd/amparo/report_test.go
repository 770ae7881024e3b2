package main_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo/internal/testenv"
)

// quarter is the name of the quarter n quarters after now's (n < 0:
// before).
func quarter(now time.Time, n int) string {
	q := now.Year()*4 + (int(now.Month())-1)/3 + n
	return fmt.Sprintf("%d-Q%d", q/4, q%4+1)
}

// TestReport_Commands: a quarter that is over released and approved; its
// JSON and CSV carry the same values; the quarter under way is refused,
// naming it.
func TestReport_Commands(t *testing.T) {
	t.Parallel()
	data := demoData(t)
	period := quarter(time.Now(), -2)
	out := ok(t, "report", "release", "--period", period, "--approve", "--data", data)
	if !strings.Contains(out, "Released "+period) || !strings.Contains(out, "approved and published") {
		t.Fatalf("release: %s", out)
	}
	type cell struct {
		Key   []string `json:"key"`
		Count *int64   `json:"count"`
	}
	type table struct {
		Name  string `json:"name"`
		Cells []cell `json:"cells"`
	}
	doc := decode[struct {
		Period   string  `json:"period"`
		MinCount int64   `json:"min_count"`
		Tables   []table `json:"tables"`
	}](t, ok(t, "report", "show", period, "--json", "--data", data))
	if doc.Period != period || doc.MinCount != 11 || len(doc.Tables) < 10 {
		t.Fatalf("show --json: %+v", doc)
	}
	recs, err := csv.NewReader(strings.NewReader(ok(t, "report", "show", period, "--csv", "--data", data))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	i := 1
	for _, tb := range doc.Tables {
		for _, c := range tb.Cells {
			want := ""
			if c.Count != nil {
				want = fmt.Sprint(*c.Count)
			}
			if recs[i][0] != tb.Name || recs[i][2] != c.Key[0] || recs[i][5] != want {
				t.Fatalf("CSV row %d %v, JSON %s %v %s", i, recs[i], tb.Name, c.Key, want)
			}
			i++
		}
	}
	if text := ok(t, "report", "show", period, "--data", data); !strings.Contains(text, "Minimum publishable count 11") {
		t.Fatalf("show: %s", text)
	}
	pdf := filepath.Join(t.TempDir(), "report.pdf")
	ok(t, "report", "show", period, "--pdf", pdf, "--data", data)
	if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("show --pdf: %v", err)
	}
	// In Spanish, as poppler reads it.
	testenv.Commands(t, "pdftotext")
	ok(t, "report", "show", period, "--pdf", pdf, "--lang", "es", "--data", data)
	if text, err := exec.Command("pdftotext", "-enc", "UTF-8", pdf, "-").Output(); err != nil ||
		!strings.Contains(string(text), "Cartas emitidas") || strings.Contains(string(text), "Letters issued") {
		t.Fatalf("show --pdf --lang es: %v\n%s", err, text)
	}
	// The demo released and approved the last quarter's report.
	if text := ok(t, "report", "show", quarter(time.Now(), -1), "--data", data); !strings.Contains(text, ", approved ") {
		t.Fatalf("the demo's report: %s", text)
	}
	now := quarter(time.Now(), 0)
	if _, stderr, code := amparo(t, nil, "report", "release", "--period", now, "--data", data); code == 0 || !strings.Contains(stderr, "not over") {
		t.Fatalf("release of %s: exit %d, %s", now, code, stderr)
	}
	if _, stderr, code := amparo(t, nil, "report", "release", "--period", period, "--data", data); code == 0 || !strings.Contains(stderr, "already has a release") {
		t.Fatalf("second release: exit %d, %s", code, stderr)
	}
}
