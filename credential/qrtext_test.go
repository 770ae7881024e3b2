package credential

import (
	"bytes"
	"strings"
	"testing"
)

func TestEncode(t *testing.T) {
	signed := []byte{0x84, 0x01, 0xff}
	for _, tt := range []struct{ prefix, want string }{
		{"https://amparo.example.org/v#", "https://amparo.example.org/v#QQA76"},
		{"https://amparo.example.org/v", "https://amparo.example.org/v#QQA76"},
		{"", "#QQA76"},
	} {
		if got := Encode(tt.prefix, signed); got != tt.want {
			t.Errorf("Encode(%q) = %q, want %q", tt.prefix, got, tt.want)
		}
	}
}

func TestParseQR(t *testing.T) {
	signed, err := Sign(testClaims(), testKey(2))
	if err != nil {
		t.Fatal(err)
	}
	text := Encode(testPrefix, signed)
	cred := text[len(testPrefix):]
	ok := []struct{ name, text string }{
		{"Prefix", text},
		{"NoPrefix", cred},
		{"OtherPrefix", "https://other.example/verify?x=1#a#" + cred},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseQR(tt.text)
			if err != nil || !bytes.Equal(got, signed) {
				t.Fatalf("ParseQR = %x, %v", got, err)
			}
		})
	}
	bad := []struct{ name, text, msg string }{
		{"Empty", "", "no credential"},
		{"NothingAfterHash", testPrefix, "no credential"},
		{"TooLong", testPrefix + strings.Repeat("A", MaxQRText), "longer than"},
		{"Megabytes", strings.Repeat("#", 4<<20), "longer than"},
		{"LowerCase", testPrefix + strings.ToLower(cred), "not in A–Z or 2–7"},
		{"Padding", text + "======", "not in A–Z or 2–7"},
		{"Space", text[:60] + " " + text[60:], "not in A–Z or 2–7"},
		{"Newline", text[:60] + "\n" + text[60:], "not in A–Z or 2–7"},
		{"BadLength", testPrefix + "A", "length"},
		{"NonZeroPaddingBits", testPrefix + "QQA77", "padding bits"},
		{"Digit1", testPrefix + "QQA71", "not in A–Z or 2–7"},
	}
	for _, tt := range bad {
		t.Run("Reject"+tt.name, func(t *testing.T) {
			_, err := ParseQR(tt.text)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("error %v, want one containing %q", err, tt.msg)
			}
		})
	}
}
