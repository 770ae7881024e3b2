package amparo_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// TestValidate_Localized: every problem Validate finds carries a catalog
// key that every complete catalog has, with its arguments, and keeps its
// English message for logs and the command line.
func TestValidate_Localized(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	bad := []interface{ Validate() error }{
		&amparo.Program{Name: " ", LetterValidityDays: 9999, TimeZone: "Mars/Base", VerifyURL: "https://x.example/v?q=1", Languages: []string{"??"}, LetterCapacity: -1},
		&amparo.Client{Personal: amparo.Personal{LegalName: "Joy", Language: "x", Phone: "call me", CountryOfBirth: "sv", Situation: "nope"}},
		&amparo.Member{Name: strings.Repeat("n", 500), Kind: amparo.MemberAccreditedRep},
		&amparo.Invitation{Email: "no", Role: "king"},
	}
	seen := 0
	for _, v := range bad {
		err := v.Validate()
		var list []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			list = j.Unwrap()
		}
		if len(list) == 0 {
			t.Fatalf("%T: no problems: %v", v, err)
		}
		for _, e := range list {
			var ae *amparo.Error
			if !errors.As(e, &ae) || ae.Key == "" || ae.Message == "" {
				t.Errorf("%T: %v has no key or no message", v, e)
				continue
			}
			seen++
			for _, lang := range cat.Languages() {
				if got := cat.T(lang, ae.Key, ae.Args...); got == ae.Key || strings.Contains(got, "%!") {
					t.Errorf("%T %s: %s in %s is %q", v, ae.Field, ae.Key, lang, got)
				}
			}
		}
	}
	if seen < 12 {
		t.Errorf("only %d problems found", seen)
	}
	// And every key the checks name, found or not above.
	files, _ := filepath.Glob("*.go")
	keys := regexp.MustCompile(`"(invalid\.[a-z_]+)"`)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range keys.FindAllStringSubmatch(string(b), -1) {
			if !cat.Has(m[1]) {
				t.Errorf("%s: %s is not in the catalog", f, m[1])
			}
		}
	}
}

func TestError_Localize(t *testing.T) {
	err := error(amparo.Errorf(amparo.ECONFLICT, "the letter is already issued").Localize("letters.err.issued", 3))
	m, ok := amparo.ErrorMsg(err)
	if !ok || m.Key != "letters.err.issued" || len(m.Args) != 1 || amparo.ErrorMessage(err) != "the letter is already issued" {
		t.Fatalf("%+v %v %q", m, ok, amparo.ErrorMessage(err))
	}
	if _, ok := amparo.ErrorMsg(amparo.Errorf(amparo.EINVALID, "x")); ok {
		t.Error("an error without a key has one")
	}
}

// TestMsg_JSONKeepsTypes: a message stored as JSON reads back as it was,
// a count still an int for the catalog's %d (a policy's summary read
// "%!d(float64=1)" once stored), a nested message still a message.
func TestMsg_JSONKeepsTypes(t *testing.T) {
	m := amparo.Msg{Key: "screen.policy.summary.disclose", Args: []any{"L.A.", 1, 2.5, -3, amparo.Msg{Key: "k", Args: []any{7, "x"}}, true, nil}}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back amparo.Msg
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Fatalf("read back %#v, want %#v", back, m)
	}
	if got := fmt.Sprintf("%d %s", back.Args[1], back.Args[0]); got != "1 L.A." {
		t.Errorf("formatted %q", got)
	}
	for _, bad := range []string{`{"Key":"k","Args":[{"Key":1}]}`, `{"Key":"k","Args":[1e999]}`, `{"Key":"k","Args":"x"}`} {
		if err := json.Unmarshal([]byte(bad), &back); err == nil {
			t.Errorf("%s read without error: %#v", bad, back)
		}
	}
}
