package notify_test

import (
	"context"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/notify"
)

// alertStore records what the alerts' replier asked of the store.
type alertStore struct {
	amparo.AlertService
	raised, acked int
}

func (s *alertStore) RaiseAlertBySMS(ctx context.Context, from, key string) (*amparo.Alert, bool, error) {
	s.raised++
	return &amparo.Alert{ID: "a1"}, true, nil
}

func (s *alertStore) NumberLanguage(ctx context.Context, from string) (string, error) {
	return "", amparo.Errorf(amparo.ENOTFOUND, "not found")
}

func (s *alertStore) AcknowledgeBySMS(ctx context.Context, from string) (*amparo.Alert, error) {
	s.acked++
	return &amparo.Alert{ID: "a1"}, nil
}

// FuzzAlerts_Reply: whatever an inbound SMS says, the replier does not
// panic; it raises an alert only for a configured keyword, never for a
// STOP-family or help word, and acknowledges only "1", "OK", "SÍ".
func FuzzAlerts_Reply(f *testing.F) {
	cat, err := locale.Load()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"DETENIDO", " detenida! ", "1", "ok", "STOP", "baja", "AYUDA", "helpme please", "", "\x00", "SÍ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		st := &alertStore{}
		a := &notify.Alerts{Store: st, Catalog: cat, Keywords: notify.DefaultAlertKeywords}
		reply, ok, err := a.Reply(context.Background(), "+15555550100", body)
		if err != nil {
			t.Fatal(err)
		}
		if ok != (st.raised+st.acked == 1) || ok != (reply != "") || st.raised+st.acked > 1 {
			t.Fatalf("%q: ok %v, reply %q, raised %d, acked %d", body, ok, reply, st.raised, st.acked)
		}
		if k := notify.MatchKeyword(body); k.Kind != notify.NoKeyword && st.raised > 0 {
			t.Fatalf("%q is a %v word and raised an alert", body, k.Kind)
		}
	})
}
