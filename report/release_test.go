package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
)

// memStore is the store's report side in memory: counts made up per
// period, releases kept as the store keeps them. The store's own queries
// are tested in package sqldb on both databases.
type memStore struct {
	counts   map[string]map[amparo.ReportMetric][]amparo.ReportRow // by period name
	releases map[string]*amparo.ReportRelease
	now      time.Time
}

func (m *memStore) CountReport(_ context.Context, metric amparo.ReportMetric, p amparo.ReportPeriod) ([]amparo.ReportRow, error) {
	return m.counts[p.Name][metric], nil
}

func (m *memStore) CreateReportRelease(_ context.Context, r *amparo.ReportRelease) error {
	if _, ok := m.releases[r.ID]; ok {
		return amparo.Errorf(amparo.ECONFLICT, "exists")
	}
	c := *r
	c.CreatedAt = m.now
	m.releases[r.ID] = &c
	return nil
}

func (m *memStore) ApproveReportRelease(_ context.Context, id string) (*amparo.ReportRelease, error) {
	r, ok := m.releases[id]
	if !ok {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "not found")
	}
	if r.Approved() {
		return nil, amparo.Errorf(amparo.ECONFLICT, "approved")
	}
	r.ApprovedAt, r.ApprovedBy = m.now, "admin"
	c := *r
	return &c, nil
}

func (m *memStore) FindReportRelease(_ context.Context, id string) (*amparo.ReportRelease, error) {
	r, ok := m.releases[id]
	if !ok {
		return nil, amparo.Errorf(amparo.ENOTFOUND, "not found")
	}
	c := *r
	return &c, nil
}

func (m *memStore) FindReportReleases(_ context.Context, f amparo.ReportReleaseFilter) ([]*amparo.ReportRelease, error) {
	var out []*amparo.ReportRelease
	for _, r := range m.releases {
		if (f.Approved && !r.Approved()) || (!f.Before.IsZero() && r.Until.After(f.Before)) {
			continue
		}
		c := *r
		c.Private = nil
		out = append(out, &c)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].Until.After(out[i].Until) {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out, nil
}

// randomCounts makes every metric's counts for 20 organizations, with
// small counts among them; total grows by issued.
func randomCounts(rng *rand.Rand, total map[string]int64) map[amparo.ReportMetric][]amparo.ReportRow {
	out := map[amparo.ReportMetric][]amparo.ReportRow{}
	langs := []string{"en", "es", "ht", "pt", "zh", "ar"}
	for o := range 20 {
		org := fmt.Sprintf("Organización Ficticia %02d", o)
		issued := int64(0)
		for _, l := range langs {
			n := rng.Int64N(30)
			if rng.IntN(3) == 0 {
				n = rng.Int64N(4)
			}
			issued += n
			out[amparo.MetricLettersIssued] = append(out[amparo.MetricLettersIssued], amparo.ReportRow{Keys: []string{org, l}, Count: n})
			out[amparo.MetricLettersActive] = append(out[amparo.MetricLettersActive], amparo.ReportRow{Keys: []string{org, l}, Count: 3 * n})
		}
		total[org] += issued
		out[amparo.MetricLettersTotal] = append(out[amparo.MetricLettersTotal], amparo.ReportRow{Keys: []string{org}, Count: total[org]})
		for _, m := range []amparo.ReportMetric{amparo.MetricIntakes, amparo.MetricMatches, amparo.MetricLettersRevoked, amparo.MetricLettersRenewed, amparo.MetricWorkshops, amparo.MetricAttendance} {
			out[m] = append(out[m], amparo.ReportRow{Keys: []string{org}, Count: rng.Int64N(40)})
		}
		for _, w := range amparo.WaitBuckets {
			out[amparo.MetricQueue] = append(out[amparo.MetricQueue], amparo.ReportRow{Keys: []string{org, w}, Count: rng.Int64N(50)})
		}
		for _, a := range append(amparo.AckBuckets, amparo.AckPending) {
			out[amparo.MetricAlerts] = append(out[amparo.MetricAlerts], amparo.ReportRow{Keys: []string{org, a}, Count: rng.Int64N(25)})
		}
	}
	return out
}

func newService(t *testing.T, now time.Time) (*Service, *memStore) {
	rng := rand.New(rand.NewPCG(7, 11))
	total := map[string]int64{}
	st := &memStore{counts: map[string]map[amparo.ReportMetric][]amparo.ReportRow{}, releases: map[string]*amparo.ReportRelease{}, now: now}
	for _, p := range []string{"2026-Q2", "2026-Q3", "2026-Q4"} {
		st.counts[p] = randomCounts(rng, total)
	}
	return &Service{Store: st, Now: func() time.Time { return now }}, st
}

// TestService_Release: two quarters released in turn, the second checked
// against the first; what is published holds no small count, shows the
// pending alerts apart, hashes to the stored hash, and reads the same in
// CSV as in JSON.
func TestService_Release(t *testing.T) {
	ctx := context.Background()
	s, st := newService(t, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	if _, err := s.Release(ctx, "2026-Q2", true); err != nil {
		t.Fatal(err)
	}
	r, err := s.Release(ctx, "2026-Q3", false)
	if err != nil {
		t.Fatal(err)
	}
	if r.Approved() {
		t.Fatal("approved without --approve")
	}
	sum := sha256.Sum256(r.Public)
	if hex.EncodeToString(sum[:]) != r.Hash {
		t.Fatal("the hash is not the public document's")
	}
	d, err := Decode(r)
	if err != nil {
		t.Fatal(err)
	}
	if d.MinCount != 11 || d.Suppressed == 0 {
		t.Fatalf("policy/audit: k %d, %d suppressed", d.MinCount, d.Suppressed)
	}
	names := map[string]*Table{}
	for i, tb := range d.Tables {
		names[tb.Name] = &d.Tables[i]
		for _, c := range tb.Cells {
			if c.Count != nil && *c.Count > 0 && *c.Count < 11 {
				t.Errorf("%s %v: published small count %d", tb.Name, c.Key, *c.Count)
			}
			if c.Suppressed && (c.Count != nil || c.Percent != nil) {
				t.Errorf("%s %v: a suppressed cell shows a value", tb.Name, c.Key)
			}
		}
	}
	alerts, pending := names["alerts"], names["alerts-pending"]
	if alerts == nil || pending == nil || pending.PendingOf != "alerts" || alerts.Denominator == "" {
		t.Fatalf("alerts tables: %+v %+v", alerts, pending)
	}
	for _, c := range alerts.Key() {
		if c == amparo.AckPending {
			t.Fatal("pending alerts inside the acknowledged table's denominator")
		}
	}
	// Percentages are shares of the acknowledged alerts of the row.
	for _, c := range alerts.Cells {
		if c.Percent == nil || c.Key[1] == "*" {
			continue
		}
		row := alerts.cell(c.Key[0], "*")
		if row == nil || row.Count == nil {
			t.Fatalf("%v: a percentage published without its denominator", c.Key)
		}
		want := float64(*c.Count) / float64(*row.Count) * 100
		if d := *c.Percent - want; d > 0.051 || d < -0.051 {
			t.Errorf("%v: %v%%, want %v%%", c.Key, *c.Percent, want)
		}
	}
	// CSV: the same cells and values as the JSON.
	var buf bytes.Buffer
	if err := WriteCSV(&buf, d); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	i := 1
	for _, tb := range d.Tables {
		for _, c := range tb.Cells {
			rec := recs[i]
			i++
			if rec[0] != tb.Name || rec[2] != c.Key[0] || rec[5] != FormatCount(c) || rec[8] != FormatPercent(c) || rec[6] != strconv.FormatBool(c.Suppressed) {
				t.Fatalf("CSV row %d %v differs from JSON %s %+v", i, rec, tb.Name, c)
			}
		}
	}
	if i != len(recs) {
		t.Fatalf("CSV has %d rows, JSON %d cells", len(recs)-1, i-1)
	}
	// Immutable: a second release of the period is refused, the first kept.
	if _, err := s.Release(ctx, "2026-Q3", false); amparo.ErrorCode(err) != amparo.ECONFLICT {
		t.Fatalf("second release: %v", err)
	}
	if st.releases["2026-Q3"].Hash != r.Hash {
		t.Fatal("the release changed")
	}
}

func (t *Table) Key() []string {
	var out []string
	for _, d := range t.Dims {
		out = append(out, d.Categories...)
	}
	return out
}

func (t *Table) cell(key ...string) *Cell {
	for i, c := range t.Cells {
		if fmt.Sprint(c.Key) == fmt.Sprint(key) {
			return &t.Cells[i]
		}
	}
	return nil
}

// TestService_Release_NotOver: a period that is not over is refused,
// naming the period, and nothing is stored.
func TestService_Release_NotOver(t *testing.T) {
	s, st := newService(t, time.Date(2026, 9, 30, 23, 0, 0, 0, time.UTC))
	_, err := s.Release(context.Background(), "2026-Q3", true)
	m, ok := amparo.ErrorMsg(err)
	if amparo.ErrorCode(err) != amparo.EINVALID || !ok || m.Key != "report.err.not_over" || len(st.releases) != 0 {
		t.Fatalf("got %v (%v), %d releases", err, m, len(st.releases))
	}
	for _, bad := range []string{"2026-Q5", "2026-13", "Q3", "2026-07"} {
		if _, err := s.Release(context.Background(), bad, false); amparo.ErrorCode(err) != amparo.EINVALID {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
