// Package testenv holds the rule every test that needs an outside tool
// follows: without the tool it skips, with one line saying what is missing,
// except under CI (the environment variable CI is true), where every tool
// must be installed and skipping would hide a missing install step.
package testenv

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// Missing skips tb because of what is missing, or fails it under CI.
func Missing(tb testing.TB, what string) {
	tb.Helper()
	if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
		tb.Fatal(what)
	} else {
		tb.Skip(what)
	}
}

// Commands calls Missing unless every named command is on the PATH.
func Commands(tb testing.TB, names ...string) {
	tb.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			Missing(tb, n+" not found (Debian package "+debianPackage[n]+")")
		}
	}
}

// debianPackage names the package that installs a command tests use.
var debianPackage = map[string]string{
	"pdfinfo": "poppler-utils", "pdftoppm": "poppler-utils", "pdftotext": "poppler-utils", "zbarimg": "zbar-tools",
}
