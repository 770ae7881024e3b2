package names

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Normalize folds a name to lower-case words without accents or
// punctuation, separated by single spaces: "José  PÉREZ-Ñúñez" gives
// "jose perez nunez". Apostrophes join ("O'Neil" and "O’Neil" give
// "oneil"); digits make words of their own ("Z12" gives "z 12").
//
// This is Amparo's one fold of a name: the conflict check parses these
// words (setting numbers aside, as it does titles), the name search keys
// them, and the import keys sort them (csvimport.NormalizeName), so that
// whatever one calls the same name the others do too. A change here
// changes stored search tokens and import keys: bump KeysVersion,
// csvimport.KeyVersion and sqldb's nameTokensVersion, so that stores
// rebuild them.
func Normalize(s string) string { return strings.Join(Words(s), " ") }

// Words returns the words of Normalize, in order, repeated words included:
// "O'Neil, María" gives oneil, maria.
func Words(s string) []string {
	toks := tokenize(s)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		out = append(out, t.text)
	}
	return out
}

// token is one word of a name as written and folded; number says it is
// digits.
type token struct {
	orig, text string
	number     bool
}

// tokenize splits s into words at anything but letters, combining marks,
// apostrophes and digits, and where letters and digits meet; each word
// keeps its written form (NFC) and its folded form.
func tokenize(s string) []token {
	var toks []token
	var cur strings.Builder
	digits := false
	flush := func() {
		if cur.Len() == 0 {
			return
		}
		orig := norm.NFC.String(cur.String())
		cur.Reset()
		if text := fold(orig); text != "" {
			toks = append(toks, token{orig, text, digits})
		}
	}
	for _, r := range s {
		switch {
		case isApostrophe(r):
			// O'Neil, D’Angelo: one word.
		case unicode.IsDigit(r):
			if !digits {
				flush()
				digits = true
			}
			cur.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsMark(r):
			if digits {
				flush()
				digits = false
			}
			cur.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return toks
}

// letters leaves out the numbers of toks: a number says nothing of who a
// person is (and names compared before numbers were words still compare
// the same).
func letters(toks []token) []token {
	out := toks[:0]
	for _, t := range toks {
		if !t.number {
			out = append(out, t)
		}
	}
	return out
}

// fold lowers a word and removes its accents; letters that do not
// decompose (ß, æ, ø, ł...) get their usual ASCII spelling.
func fold(word string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(word) {
		if unicode.IsMark(r) || isApostrophe(r) {
			continue // ŉ decomposes to ʼn: the apostrophe goes here too
		}
		r = unicode.ToLower(r)
		switch r {
		case 'ß':
			b.WriteString("ss")
		case 'æ':
			b.WriteString("ae")
		case 'œ':
			b.WriteString("oe")
		case 'ø':
			b.WriteByte('o')
		case 'ł':
			b.WriteByte('l')
		case 'đ', 'ð':
			b.WriteByte('d')
		case 'þ':
			b.WriteString("th")
		case 'ı':
			b.WriteByte('i')
		default:
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

func isApostrophe(r rune) bool {
	return r == '\'' || r == '’' || r == '`' || r == 'ʼ' || r == '´'
}

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// Key returns the Spanish phonetic key of one folded word (as Normalize
// gives it): letters that sound alike in Spanish share a symbol, so
// spellings of one name share a key. b/v/w → b; c before e/i, s, z → s;
// c, k, q(u) → k; ll and consonant y → Y; j, g before e/i, x before a vowel
// → J; ch → C; ph → f; h is silent; gu before e/i → g; ni/ny before a vowel
// → n (ñ); y that is a vowel → i; doubled letters count once. Upper-case
// symbols are sounds, not letters. Other scripts pass through unchanged.
func Key(word string) string {
	w := word
	b := make([]byte, 0, len(w)+2)
	emit := func(c byte) {
		if n := len(b); n > 0 && b[n-1] == c {
			return // doubled letters (rr, ll after mapping, ss) count once
		}
		b = append(b, c)
	}
	at := func(i int) byte {
		if i < len(w) {
			return w[i]
		}
		return 0
	}
	for i := 0; i < len(w); i++ {
		c, next := w[i], at(i+1)
		switch c {
		case 'a', 'e', 'i', 'o', 'u':
			emit(c)
		case 'b', 'v', 'w':
			emit('b')
		case 'c':
			switch {
			case next == 'h':
				emit('C')
				i++
			case next == 'e' || next == 'i':
				emit('s')
			default:
				emit('k')
			}
		case 'g':
			switch {
			case next == 'e' || next == 'i':
				emit('J')
			case next == 'u' && (at(i+2) == 'e' || at(i+2) == 'i'):
				emit('g')
				i++ // the u is silent: Guillermo
			default:
				emit('g')
			}
		case 'h':
			// silent (ch, ph, sh, th are handled by the letter before)
		case 'j':
			emit('J')
		case 'k':
			emit('k')
		case 'l':
			if next == 'l' {
				emit('Y')
				i++
			} else {
				emit('l')
			}
		case 'n':
			emit('n')
			if (next == 'i' || next == 'y') && isVowel(at(i+2)) {
				i++ // Nuniez, Nunyez: ñ typed as ni or ny
			}
		case 'p':
			if next == 'h' {
				emit('f')
				i++
			} else {
				emit('p')
			}
		case 'q':
			emit('k')
			if next == 'u' {
				i++
			}
		case 's':
			if next == 'h' {
				emit('C')
				i++
			} else {
				emit('s')
			}
		case 't':
			emit('t')
			if next == 'h' {
				i++
			}
		case 'x':
			if isVowel(next) {
				emit('J') // Ximénez, Xavier, Mexía
			} else {
				emit('k')
				emit('s')
			}
		case 'y':
			if isVowel(next) {
				emit('Y')
			} else {
				emit('i') // Eloy, Ysabel
			}
		case 'z':
			emit('s')
		default:
			if c < 0x80 {
				emit(c)
			} else {
				// A rune of another script: copy it whole.
				j := i + 1
				for j < len(w) && w[j]&0xC0 == 0x80 {
					j++
				}
				b = append(b, w[i:j]...)
				i = j - 1
			}
		}
	}
	if len(b) == 0 {
		return w
	}
	return string(b)
}
