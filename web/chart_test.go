package web

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// An SVG chart is well-formed XML, an image labelled by its title, with
// every bar's label and value written in words and its length in
// proportion.
func TestBarChart(t *testing.T) {
	t.Parallel()
	svg := string(barChart("cap", `Letters <used> & "left"`, []bar{
		{Label: "Active letters", Value: 300, Text: "300"},
		{Label: "Centro Legal de Ejemplo para Personas Ficticias", Value: 100, Text: "100"},
		{Label: "Left", Value: 0, Text: "0", Muted: true},
	}, 500))
	d := xml.NewDecoder(strings.NewReader(svg))
	var texts []string
	var widths []string
	var root xml.StartElement
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root.Name.Local == "" {
				root = tok
			}
			if tok.Name.Local == "rect" {
				for _, a := range tok.Attr {
					if a.Name.Local == "width" {
						widths = append(widths, a.Value)
					}
				}
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(tok)); s != "" {
				texts = append(texts, s)
			}
		}
	}
	attrs := map[string]string{}
	for _, a := range root.Attr {
		attrs[a.Name.Local] = a.Value
	}
	if root.Name.Local != "svg" || attrs["role"] != "img" || attrs["aria-labelledby"] != "cap-title" || attrs["viewBox"] != "0 0 400 150" {
		t.Fatalf("root %v %v", root.Name, attrs)
	}
	want := []string{`Letters <used> & "left"`, "Active letters", "300", "Centro Legal de Ejemplo para Personas Ficti…", "100", "Left", "0"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("texts %q, want %q", texts, want)
	}
	// 340 units of bar for 500: 300 is 204, 100 is 68, 0 is none.
	if strings.Join(widths, " ") != "204 68 0" {
		t.Errorf("bar widths %v", widths)
	}
	if strings.Contains(svg, "style=") {
		t.Error("a style attribute: the Content-Security-Policy refuses it")
	}
}

func TestNumber_InTheReadersLanguage(t *testing.T) {
	t.Parallel()
	for lang, want := range map[string]string{"en": "10,000", "es": "10.000"} {
		if got := number(lang, 10000); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
