package ical_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/amparo-project/amparo/ical"
)

// parse reads back what Write wrote: the properties of each event,
// unfolded and unescaped (RFC 5545 3.1 and 3.3.11).
func parse(t *testing.T, b []byte) []map[string]string {
	t.Helper()
	text := string(b)
	if !strings.HasSuffix(text, "\r\n") {
		t.Fatal("the file does not end with CRLF")
	}
	for _, l := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Fatalf("a line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("a line splits a character: %q", l)
		}
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("a bare line end in %q", l)
		}
	}
	unfolded := strings.ReplaceAll(text, "\r\n ", "")
	var events []map[string]string
	var cur map[string]string
	for _, l := range strings.Split(strings.TrimSuffix(unfolded, "\r\n"), "\r\n") {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("no colon in %q", l)
		}
		switch {
		case name == "BEGIN" && value == "VEVENT":
			cur = map[string]string{}
		case name == "END" && value == "VEVENT":
			events = append(events, cur)
			cur = nil
		case cur != nil:
			cur[name] = unescape(t, value)
		}
	}
	return events
}

// onlyEvent writes c, a calendar of one event, and reads that event back.
func onlyEvent(t *testing.T, c *ical.Calendar) map[string]string {
	t.Helper()
	var b bytes.Buffer
	if err := c.Write(&b); err != nil {
		t.Fatal(err)
	}
	evs := parse(t, b.Bytes())
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	return evs[0]
}

func unescape(t *testing.T, s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ';' || c == ',' {
			t.Fatalf("an unescaped %c in %q", c, s)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			t.Fatalf("a lone backslash ends %q", s)
		}
		switch s[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case '\\', ';', ',':
			b.WriteByte(s[i])
		default:
			t.Fatalf("unknown escape \\%c in %q", s[i], s)
		}
	}
	return b.String()
}

func TestCalendar_Write(t *testing.T) {
	start := time.Date(2026, 12, 10, 18, 30, 0, 0, time.FixedZone("PST", -8*3600))
	c := &ical.Calendar{ProdID: "-//Amparo//Workshops//EN", Name: "Talleres", Events: []ical.Event{{
		UID: "abc@amparo", Stamp: start.Add(-time.Hour), Start: start, End: start.Add(2 * time.Hour),
		Summary:     "Conozca sus derechos; en casa, en la calle",
		Description: "Línea uno\nLínea dos con una barra \\ y " + strings.Repeat("ñ", 60),
		Location:    "Salón Parroquial Ejemplo, 100 Calle Ficticia", URL: "https://amparo.example.org/events/abc",
	}}}
	e := onlyEvent(t, c)
	want := map[string]string{"UID": "abc@amparo", "DTSTART": "20261211T023000Z", "DTEND": "20261211T043000Z",
		"SUMMARY": c.Events[0].Summary, "DESCRIPTION": c.Events[0].Description, "LOCATION": c.Events[0].Location, "STATUS": "CONFIRMED"}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("%s = %q, want %q", k, e[k], v)
		}
	}
}

func FuzzEscape(f *testing.F) {
	f.Add("plain", "a;b,c\\d\ne")
	f.Add(strings.Repeat("é", 80), "\r\n\x00\xff")
	f.Fuzz(func(t *testing.T, summary, description string) {
		c := &ical.Calendar{ProdID: "-//x//y//EN", Events: []ical.Event{{UID: "u", Summary: summary, Description: description}}}
		e := onlyEvent(t, c)
		// What comes back is what went in, less what TEXT cannot hold.
		norm := func(s string) string {
			s = strings.ReplaceAll(strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\r\n", "\n"), "\r", "\n")
			return strings.Map(func(r rune) rune {
				if r == utf8.RuneError || (r < 0x20 && r != '\n') || r == 0x7f {
					return -1
				}
				return r
			}, s)
		}
		if got := e["SUMMARY"]; got != norm(summary) {
			t.Fatalf("summary %q came back %q", summary, got)
		}
		if d := norm(description); d != "" && e["DESCRIPTION"] != d {
			t.Fatalf("description %q came back %q", description, e["DESCRIPTION"])
		}
	})
}
