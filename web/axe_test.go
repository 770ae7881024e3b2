package web_test

import (
	"context"
	"encoding/json"
	"os"
	"sync"
	"testing"

	"github.com/amparo-project/amparo/internal/testenv"
)

var (
	axeOnce   sync.Once
	axeScript []byte
	axeErr    error
	axeShapes sync.Map // page shapes axe has checked in this test binary
)

// axeFindings runs axe-core on the page ctx shows and returns its serious
// and critical violations, a line each. Under CI=true it checks every
// page it is given; elsewhere the sweep is a sample, as the issue on the
// suite's speed asks: a page of a shape already checked by this test
// binary (its path with IDs and tokens blanked, its language and the
// window's width) is not checked again, and ran is false.
func axeFindings(t *testing.T, ctx context.Context, what string) (findings []string, ran bool) {
	t.Helper()
	axeOnce.Do(func() { axeScript, axeErr = os.ReadFile("testdata/axe/axe.min.js") })
	if axeErr != nil {
		t.Fatal(axeErr)
	}
	if !testenv.CI() {
		shape := eval[string](t, ctx, `location.pathname.replace(/\/[0-9a-f]{12,}|\/[A-Za-z0-9_-]{20,}/g, '/{id}') + ' ' + document.documentElement.lang + ' ' + window.innerWidth`)
		if _, seen := axeShapes.LoadOrStore(shape, true); seen {
			return nil, false
		}
	}
	out := eval[string](t, ctx, string(axeScript)+`;axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.filter(v => v.impact == 'serious' || v.impact == 'critical').map(v => v.impact + ' ' + v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ') + ')')))`)
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatalf("%s: axe did not run: %v (%.80q)", what, err, out)
	}
	return findings, true
}

// checkAxe fails the test for every serious or critical violation axe
// finds on the page ctx shows (see axeFindings), and says whether axe ran.
func checkAxe(t *testing.T, ctx context.Context, what string) bool {
	t.Helper()
	findings, ran := axeFindings(t, ctx, what)
	for _, f := range findings {
		t.Errorf("%s: %s", what, f)
	}
	return ran
}
