package csvimport

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Encodings Result.Encoding reports.
const (
	EncodingUTF8        = "UTF-8"
	EncodingUTF8BOM     = "UTF-8 with BOM"
	EncodingUTF16       = "UTF-16"
	EncodingWindows1252 = "Windows-1252"
	EncodingMixed       = "UTF-8 and Windows-1252"
)

var bomUTF8 = []byte{0xEF, 0xBB, 0xBF}

// decode returns the file as UTF-8 text and the encoding it was in. A byte
// order mark says UTF-8 or UTF-16; otherwise each line that is valid UTF-8
// is taken as UTF-8 and any other as Windows-1252 (a superset of Latin-1's
// printable characters), so that a file pasted together from a Mac and an
// old Windows spreadsheet still reads right.
func decode(b []byte) (string, string) {
	switch {
	case bytes.HasPrefix(b, bomUTF8):
		text, enc := decodeLines(b[len(bomUTF8):])
		if enc == EncodingUTF8 {
			enc = EncodingUTF8BOM
		}
		return text, enc
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		// Excel's "Unicode text". The BOM says the byte order.
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
		if err != nil {
			return strings.ToValidUTF8(string(b), "\uFFFD"), EncodingUTF16
		}
		return string(out), EncodingUTF16
	}
	return decodeLines(b)
}

func decodeLines(b []byte) (string, string) {
	if utf8.Valid(b) {
		return string(b), EncodingUTF8
	}
	var out strings.Builder
	out.Grow(len(b) + len(b)/8)
	utf, cp := false, false
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line = b[:i+1]
		}
		b = b[len(line):]
		if utf8.Valid(line) {
			utf = utf || !ascii(line)
			out.Write(line)
			continue
		}
		cp = true
		for _, c := range line {
			out.WriteRune(charmap.Windows1252.DecodeByte(c))
		}
	}
	if utf && cp {
		return out.String(), EncodingMixed
	}
	return out.String(), EncodingWindows1252
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// sniff returns the delimiter of the header line: the most frequent of
// comma, semicolon and tab outside quotes, comma on a tie.
func sniff(text string) rune {
	var n [3]int
	quoted := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n':
			i = len(text)
		case c == ',':
			n[0]++
		case c == ';':
			n[1]++
		case c == '\t':
			n[2]++
		}
	}
	switch {
	case n[1] > n[0] && n[1] >= n[2]:
		return ';'
	case n[2] > n[0] && n[2] > n[1]:
		return '\t'
	}
	return ','
}
