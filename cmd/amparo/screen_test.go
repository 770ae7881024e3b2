package main_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// screenOut is what `screen vendor --json` prints, as a script reads it.
type screenOut struct {
	RegistryVersion int    `json:"registry_version"`
	Algorithm       string `json:"algorithm"`
	ResultHash      string `json:"result_hash"`
	Hits            []struct {
		Entity   string   `json:"entity"`
		Decision string   `json:"decision"`
		Features []string `json:"features"`
		Reviewed string   `json:"reviewed"`
	} `json:"hits"`
}

// TestScreenCommands: the demo's starter registry screened by the command
// line, one vendor and a file; the file's bad rows refuse it (all or
// nothing) unless --partial, and its results CSV neutralizes formulas.
// The vendors are fictional, but for a spelling of a registry company.
func TestScreenCommands(t *testing.T) {
	t.Parallel()
	data := demoData(t)
	orgs := decode[[]letterJSON](t, ok(t, "letter", "list", "--json", "--data", data))
	org := orgs[0].OrganizationID

	r := decode[screenOut](t, ok(t, "screen", "vendor", "Fisher Sand and Gravel Company, Inc.", "--org", org, "--json", "--lang", "es", "--data", data))
	if len(r.Hits) == 0 || r.Hits[0].Entity != "fisher-sand-gravel" || r.Hits[0].Decision != "match" || len(r.Hits[0].Features) == 0 ||
		len(r.ResultHash) != 64 || r.RegistryVersion == 0 || r.Algorithm == "" {
		t.Fatalf("screen vendor: %+v", r)
	}
	if out := ok(t, "screen", "vendor", "Ejemplo Panadería Ficticia", "--org", org, "--data", data); !strings.Contains(out, ": 0") {
		t.Fatalf("a vendor matching nothing: %s", out)
	}
	if _, stderr, code := amparo(t, nil, "screen", "vendor", "X", "--org", org, "--uei", "SHORT", "--data", data); code == 0 || !strings.Contains(stderr, "UEI") {
		t.Fatalf("a bad UEI: exit %d %q", code, stderr)
	}

	// The demo's vendor: its false positive is reused from the command line.
	reviewed := false
	for _, o := range orgs {
		r := decode[screenOut](t, ok(t, "screen", "vendor", "ELTA Ejemplo North America", "--org", o.OrganizationID, "--json", "--data", data))
		reviewed = reviewed || len(r.Hits) == 1 && r.Hits[0].Reviewed == "false_positive"
	}
	if !reviewed {
		t.Error("the demo's vendor and its decision were not found")
	}

	// A file with the demo's fictional vendor whose affidavit declares no
	// border-wall work: the file's screening reports the contradiction, in
	// the JSON and in the results CSV.
	dir := t.TempDir()
	declared := filepath.Join(dir, "declared.csv")
	os.WriteFile(declared, []byte("name,uei\nCercas Zafiro Ficticias SRL,ZFRDEMX00001\n"), 0o600)
	contradicted := false
	for _, o := range orgs {
		rs := decode[[]struct {
			Affidavit string `json:"affidavit"`
			Hits      []struct {
				Contradictions []string `json:"contradictions"`
			} `json:"hits"`
		}](t, ok(t, "screen", "file", declared, "--org", o.OrganizationID, "--json", "--lang", "es", "--out", filepath.Join(dir, "declared-results.csv"), "--data", data))
		if len(rs) == 1 && rs[0].Affidavit == "none" && len(rs[0].Hits) > 0 && len(rs[0].Hits[0].Contradictions) > 0 &&
			strings.Contains(rs[0].Hits[0].Contradictions[0], "no hay trabajo en el muro fronterizo") {
			contradicted = true
			b, _ := os.ReadFile(filepath.Join(dir, "declared-results.csv"))
			if !strings.Contains(string(b), ",none,") || !strings.Contains(string(b), "no hay trabajo en el muro fronterizo") {
				t.Errorf("the results CSV lacks the affidavit or its contradiction:\n%s", b)
			}
		}
	}
	if !contradicted {
		t.Error("no organization's file screening reported the demo affidavit's contradiction")
	}

	file := filepath.Join(dir, "vendors.csv")
	os.WriteFile(file, []byte("name;uei\n=1+2;\nSLS Company Ltd;\n;ZPHR5678EFGH\nEjemplo Ferretería;BAD\n"), 0o600)
	if _, stderr, code := amparo(t, nil, "screen", "file", file, "--org", org, "--lang", "es", "--data", data); code == 0 ||
		!strings.Contains(stderr, "Línea 4") || !strings.Contains(stderr, "Línea 5") {
		t.Fatalf("a file with bad rows: exit %d %q", code, stderr)
	}
	out := filepath.Join(dir, "results.csv")
	if s := ok(t, "screen", "file", file, "--org", org, "--partial", "--out", out, "--data", data); !strings.Contains(s, "Screened 2 vendors: 1 with possible matches; 2 rows skipped") {
		t.Fatalf("partial: %s", s)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 3 || strings.TrimPrefix(rows[0][0], "\ufeff") != "vendor" {
		t.Fatalf("results: %v %v", rows, err)
	}
	found := false
	for _, row := range rows[1:] {
		if strings.HasPrefix(row[0], "=") {
			t.Errorf("a formula left live: %q", row[0])
		}
		if row[0] == "SLS Company Ltd" && row[2] == "slsco" {
			found = true
		}
	}
	if !found {
		t.Errorf("SLSCO not found: %v", rows)
	}
}
