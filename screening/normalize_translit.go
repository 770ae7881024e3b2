package screening

import (
	"strings"

	"github.com/amparo-project/amparo/names"
)

// words folds s as names.Words does and writes Cyrillic and Greek letters
// in Latin ones, so that "ООО Газпром" and "OOO Gazprom" read alike.
func words(s string) []string {
	var out []string
	for _, w := range names.Words(s) {
		// A sign without a sound ("Ь", "Ъ") alone is no word.
		if w = translit(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// translit writes a folded word (lower case, accents removed: "й" is
// already "и") in Latin letters: Cyrillic as ICAO Doc 9303 does for
// passports (Russian, Ukrainian, Belarusian, with the Serbian and
// Macedonian letters), Greek as ELOT 743. Other letters are kept.
func translit(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	for _, r := range w {
		if l, ok := latin[r]; ok {
			b.WriteString(l)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var latin = map[rune]string{
	// Cyrillic
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i", 'й': "i",
	'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f",
	'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu",
	'я': "ia", 'і': "i", 'ї': "i", 'є': "ie", 'ґ': "g", 'ў': "u", 'ђ': "dj", 'ј': "j", 'љ': "lj", 'њ': "nj",
	'ћ': "c", 'џ': "dz", 'ѕ': "dz",
	// Greek
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th", 'ι': "i", 'κ': "k", 'λ': "l",
	'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y", 'φ': "f",
	'χ': "ch", 'ψ': "ps", 'ω': "o",
}
