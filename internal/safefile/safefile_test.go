package safefile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amparo-project/amparo/internal/safefile"
)

func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "letter.pdf")
	if err := safefile.WriteNew(p, []byte("uno"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "uno" {
		t.Fatalf("wrote %q", b)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	// Never overwrites.
	err := safefile.WriteNew(p, []byte("dos"), 0o600)
	if err == nil || !strings.Contains(err.Error(), "never overwritten") {
		t.Errorf("second write: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "uno" {
		t.Errorf("the file was overwritten: %q", b)
	}
	// A public file gets its mode only once whole; no temporary file is left.
	q := filepath.Join(dir, "trust.json")
	if err := safefile.WriteNew(q, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(q); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
	// A folder that cannot be written: an error naming the file, nothing left.
	if err := safefile.WriteNew(filepath.Join(dir, "missing", "x"), nil, 0o600); err == nil || !strings.Contains(err.Error(), "missing/x") {
		t.Errorf("write into a missing folder: %v", err)
	}
}
