package notify

import "unicode/utf16"

// SMS segments. A message in the GSM 7-bit alphabet takes 160 septets in
// one SMS, or 153 per part when split (the rest is the part header); any
// other character makes the whole message UCS-2: 70 UTF-16 units in one
// SMS, 67 per part. The extension characters (€, [, ], {, }, ~, ^, \, |,
// form feed) take two septets, and neither they nor a surrogate pair
// are split across parts.

const (
	gsmSingle  = 160
	gsmPart    = 153
	ucs2Single = 70
	ucs2Part   = 67
)

// Encoding names how an SMS is encoded.
type Encoding string

const (
	GSM7 Encoding = "GSM-7"
	UCS2 Encoding = "UCS-2"
)

const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
const gsmExtension = "^{}\\[~]|€\f"

var gsmWidth = func() map[rune]int {
	m := map[rune]int{}
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// Segments returns how many SMS body takes, and in which encoding. An
// empty body is one SMS.
func Segments(body string) (int, Encoding) {
	widths := make([]int, 0, len(body))
	enc := GSM7
	for _, r := range body {
		w, ok := gsmWidth[r]
		if !ok {
			enc = UCS2
			break
		}
		widths = append(widths, w)
	}
	single, part := gsmSingle, gsmPart
	if enc == UCS2 {
		single, part = ucs2Single, ucs2Part
		widths = widths[:0]
		for _, r := range body {
			widths = append(widths, utf16.RuneLen(r))
		}
	}
	total := 0
	for _, w := range widths {
		total += w
	}
	if total <= single {
		return 1, enc
	}
	n, used := 1, 0
	for _, w := range widths {
		if used+w > part {
			n, used = n+1, 0
		}
		used += w
	}
	return n, enc
}
