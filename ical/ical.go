// Package ical writes iCalendar (RFC 5545) files: the events of a
// calendar, with the text escaping and line folding the format requires.
// It writes only what workshop calendars need: events with a start, an
// end, a summary, a description, a location and an address.
//
// It must never import a database or HTTP package.
package ical

import (
	"bufio"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one VEVENT.
type Event struct {
	UID         string
	Stamp       time.Time // when the event's data was made (DTSTAMP)
	Start, End  time.Time
	Summary     string
	Description string
	Location    string
	URL         string
	Cancelled   bool
}

// Calendar is a VCALENDAR of events.
type Calendar struct {
	ProdID string // such as "-//Amparo//Workshops//EN"
	Name   string
	Events []Event
}

// Write writes c as an iCalendar file: CRLF line ends, each line folded
// at 75 octets, never inside a character.
func (c *Calendar) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	line := func(name, value string) { writeFolded(bw, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", Escape(c.ProdID))
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	if c.Name != "" {
		line("X-WR-CALNAME", Escape(c.Name))
	}
	for _, e := range c.Events {
		line("BEGIN", "VEVENT")
		line("UID", Escape(e.UID))
		line("DTSTAMP", utc(e.Stamp))
		line("DTSTART", utc(e.Start))
		line("DTEND", utc(e.End))
		line("SUMMARY", Escape(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION", Escape(e.Description))
		}
		if e.Location != "" {
			line("LOCATION", Escape(e.Location))
		}
		if e.URL != "" {
			line("URL", clean(e.URL))
		}
		if e.Cancelled {
			line("STATUS", "CANCELLED")
		} else {
			line("STATUS", "CONFIRMED")
		}
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	return bw.Flush()
}

// utc writes t as a UTC date-time (FORM #2).
func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Escape writes s as a TEXT value: backslash, semicolon, comma and line
// ends escaped; other control characters and invalid UTF-8 dropped.
func Escape(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	for _, r := range clean(s) {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clean drops invalid UTF-8 (each bad byte is a utf8.RuneError to
// strings.Map) and control characters but the line end.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || (r < 0x20 && r != '\n') || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// writeFolded writes one content line, folded so that no line is longer
// than 75 octets: a continuation starts with a space.
func writeFolded(w *bufio.Writer, s string) {
	const max = 75
	n := 0
	for _, r := range s {
		size := utf8.RuneLen(r)
		if n+size > max {
			w.WriteString("\r\n ")
			n = 1
		}
		w.WriteRune(r)
		n += size
	}
	w.WriteString("\r\n")
}
