package screening

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/amparo-project/amparo/names"
)

// CompanyName is a company name as the matcher reads it: the words that
// name the company, and what was set aside (legal forms, connectors,
// articles) or rewritten (abbreviations), as written, so that an
// explanation can name them.
type CompanyName struct {
	Orig  string
	Words []NameWord // the words that name the company, in order

	LegalForms []string // as written: "Co.", "S. de R.L. de C.V."
	Connectors []string // "&", "and", "y", "+"
	Articles   []string // "The", "of", "de", "los"...
	Expanded   [][2]string
	JV         bool // a joint venture

	families []string // of the legal forms: "corporation", "partnership"... (legalFamilies)

	// The name as one word (its words but numbers, folded, not
	// expanded: "techcorp"), and the legal forms as
	// words ("corp", one for each of LegalForms): what compactSim
	// compares.
	compact     string
	ownLetters  int // of compact, in words the lists do not call generic
	formsFolded []string
}

// NameWord is one word of a company name.
type NameWord struct {
	Orig string // as written
	Text string // folded, abbreviation expanded: "intl" gives "international"
	Key  string // Text without a plural ending: what is compared
	Kind NameWordKind

	sound byte   // the first symbol of Key's phonetic key (names.Key), read once
	fold  string // as written, folded, not expanded: "tech" (Text "technology")
}

// firstSound is the first symbol of the phonetic key of w, or 0.
func firstSound(w string) byte {
	if k := names.Key(w); k != "" {
		return k[0]
	}
	return 0
}

// NameWordKind says what a word is.
type NameWordKind uint8

const (
	WordPlain    NameWordKind = iota
	WordNumber                // digits or a Roman numeral; Key is the value
	WordInitials              // letters written apart: "J.H.", "J H", "A.B.C."
)

// Core is the folded words joined by spaces: "fisher sand gravel".
func (n CompanyName) Core() string {
	s := make([]string, len(n.Words))
	for i, w := range n.Words {
		s[i] = w.Text
	}
	return strings.Join(s, " ")
}

// maxNameRunes bounds the part of a name that is read: no company name is
// longer, and comparing costs the product of two names' lengths.
const maxNameRunes = 200

// rawToken is a piece of the name before the lists are applied.
type rawToken struct {
	orig, text string
	initials   bool // joined from single letters
	connector  bool // & or +
}

// NormalizeCompany reads a company name. It never fails: a name of nothing
// but legal forms keeps them as its words, and an empty name has none.
func NormalizeCompany(s string) CompanyName {
	n := CompanyName{Orig: s}
	if utf8.RuneCountInString(s) > maxNameRunes {
		s = string([]rune(s)[:maxNameRunes])
	}
	toks := splitCompany(s)
	toks = joinLetters(toks)

	// Legal forms first (they hold articles: "S.A. de C.V."), then
	// connectors and articles, anywhere.
	toks = stripLegal(&n, toks, utf8.RuneCountInString(s) >= cutWidth)
	var keep []rawToken
	for _, t := range toks {
		switch {
		case t.connector || connectors[t.text]:
			n.Connectors = append(n.Connectors, t.orig)
		case articles[t.text] && !t.initials:
			n.Articles = append(n.Articles, t.orig)
		default:
			keep = append(keep, t)
		}
	}
	core := keep
	if len(core) == 0 { // "Company Inc.", "The And": keep what there is
		core, n.LegalForms, n.Connectors, n.Articles, n.JV, n.families = joinLetters(splitCompany(s)), nil, nil, nil, false, nil
	}
	for i := 0; i < len(core); i++ {
		t := core[i]
		// "1st", "2nd": the ending says nothing.
		if i > 0 && ordinalEnd[t.text] && isDigits(core[i-1].text) {
			continue
		}
		w := NameWord{Orig: t.orig, Text: t.text, fold: t.text}
		switch {
		case t.text == "united" && i+1 < len(core) && core[i+1].text == "states" && !core[i+1].initials:
			// The country written out is "U.S.": "United States Steel"
			// and "U.S. Steel"; "U.K." and "United States" differ.
			w = NameWord{Orig: t.orig + " " + core[i+1].orig, Text: "united states", Key: "us", Kind: WordInitials, fold: "unitedstates"}
			i++
		case isDigits(t.text):
			w.Kind, w.Key = WordNumber, strings.TrimLeft(t.text, "0")
			if w.Key == "" {
				w.Key = "0"
			}
		case roman[t.text] > 0:
			w.Kind, w.Key = WordNumber, strconv.Itoa(roman[t.text])
		case romanLast(core, i):
			w.Kind, w.Key = WordNumber, strconv.Itoa(map[string]int{"i": 1, "v": 5, "x": 10}[t.text])
		case numberWords[t.text] > 0:
			w.Kind, w.Key = WordNumber, strconv.Itoa(numberWords[t.text])
		case t.initials || len(t.text) == 1:
			w.Kind, w.Key = WordInitials, t.text
		default:
			if long, ok := abbreviations[t.text]; ok {
				n.Expanded = append(n.Expanded, [2]string{t.orig, long})
				w.Text = long
			}
			w.Key = stem(w.Text)
		}
		if w.Kind == WordPlain {
			w.sound = firstSound(w.Key)
		}
		// "Forty-Four", "Forty 4", "cuarenta y cuatro": one number.
		if k := len(n.Words) - 1; w.Kind == WordNumber && k >= 0 && n.Words[k].Kind == WordNumber {
			tens, _ := strconv.Atoi(n.Words[k].Key)
			unit, _ := strconv.Atoi(w.Key)
			if tens >= 20 && tens <= 90 && tens%10 == 0 && unit >= 1 && unit <= 9 && numberWords[core[i-1].text] > 0 {
				n.Words[k].Orig += " " + w.Orig
				n.Words[k].Text += " " + w.Text
				n.Words[k].fold += w.fold
				n.Words[k].Key = strconv.Itoa(tens + unit)
				continue
			}
		}
		n.Words = append(n.Words, w)
	}
	var c strings.Builder
	for _, w := range n.Words {
		if w.Kind != WordNumber {
			c.WriteString(w.fold)
			if !generic[w.Key] && !generic[w.Text] && !places[w.Key] {
				n.ownLetters += len(w.fold)
			}
		}
	}
	n.compact = c.String()
	for _, lf := range n.LegalForms {
		n.formsFolded = append(n.formsFolded, strings.Join(words(lf), ""))
	}
	return n
}

// romanLast says whether core[i] is "I", "V" or "X" ending a name after a
// word: the number of a series ("Citigroup Capital Trust I", "Bain Capital
// Fund X"), not an initial.
func romanLast(core []rawToken, i int) bool {
	t := core[i]
	return i == len(core)-1 && i >= 2 && (t.orig == "I" || t.orig == "V" || t.orig == "X") &&
		!core[i-1].initials && len(core[i-1].text) >= 3 && !isDigits(core[i-1].text)
}

// splitCompany cuts s into words at spaces and punctuation; "&" and "+"
// are words of their own; a dotted run of single letters ("L.L.C.",
// "S.A.") becomes one word.
func splitCompany(s string) []rawToken {
	var out []rawToken
	chunk := func(c string) {
		if c == "" {
			return
		}
		if name, form, ok := gluedLegal(c); ok {
			out = append(out, rawToken{orig: name, text: strings.Join(words(name), "")},
				rawToken{orig: form, text: strings.ToLower(form)})
			return
		}
		parts := strings.Split(strings.Trim(c, "."), ".")
		single := len(parts) > 1
		for _, p := range parts {
			if len([]rune(p)) != 1 || !unicode.IsLetter([]rune(p)[0]) {
				single = false
			}
		}
		if single {
			text := strings.Join(words(strings.Join(parts, "")), "")
			if text != "" {
				out = append(out, rawToken{orig: c, text: text, initials: true})
			}
			return
		}
		for _, p := range parts {
			for _, w := range words(p) {
				orig := p
				if len(words(p)) > 1 {
					orig = w
				}
				if strings.HasSuffix(c, ".") && p == parts[len(parts)-1] {
					orig += "."
				}
				out = append(out, rawToken{orig: orig, text: w})
			}
		}
	}
	var cur strings.Builder
	flush := func() { chunk(cur.String()); cur.Reset() }
	for _, r := range s {
		switch {
		case r == '&' || r == '+':
			flush()
			out = append(out, rawToken{orig: string(r), text: "and", connector: true})
		case r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) ||
			r == '\'' || r == '’' || r == 'ʼ':
			cur.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// joinLetters joins runs of single letters written apart ("J H Smith")
// into one word of initials, as "J.H. Smith" is read. The Spanish "y" is
// a connector, never an initial; a dotted legal form is no initial.
func joinLetters(toks []rawToken) []rawToken {
	var out []rawToken
	for i := 0; i < len(toks); {
		t := toks[i]
		if len(t.text) != 1 || t.connector || t.text == "y" || isDigits(t.text) {
			out = append(out, t)
			i++
			continue
		}
		j := i
		var text, orig []string
		// A dotted legal form after a letter stays apart: "Fund X L.P.".
		for j < len(toks) && (len(toks[j].text) == 1 || toks[j].initials && !(j > i && legalForms[toks[j].text])) &&
			!toks[j].connector && toks[j].text != "y" && !isDigits(toks[j].text) {
			text, orig = append(text, toks[j].text), append(orig, toks[j].orig)
			j++
		}
		out = append(out, rawToken{orig: strings.Join(orig, " "), text: strings.Join(text, ""), initials: true})
		i = j
	}
	return out
}

// stripLegal removes legal forms: at the end and the start of the name
// any form, in the middle only the ones that cannot be part of a name
// ("LLC", "Inc", "GmbH"; never "Co" or "SA").
func stripLegal(n *CompanyName, toks []rawToken, long bool) []rawToken {
	take := func(i, k int) {
		orig := make([]string, k)
		for j := range k {
			orig[j] = toks[i+j].orig
		}
		form := strings.Join(orig, " ")
		n.LegalForms = append(n.LegalForms, form)
		if joint(toks[i : i+k]) {
			n.JV = true
		}
		if fam := legalFamilies[joinText(toks[i:i+k])]; fam != "" && !slices.Contains(n.families, fam) {
			n.families = append(n.families, fam)
		}
	}
	// The last word misspelt or cut short: "Siemens Aktiengeselschaft",
	// "TACTICAL MISSILES CORPORATION JOINT STOCK COMPAN" (a field cut at
	// its width).
	if last := len(toks) - 1; last >= 1 && !toks[last].initials && !toks[last].connector && !legalForms[toks[last].text] {
		best, bestK := toks[last].text, 0
		for _, w := range nearLegalWords(toks[last].text, long) {
			toks[last].text = w
			if k := legalAt(toks, len(toks), true); k > bestK {
				best, bestK = w, k
			}
		}
		toks[last].text = best
	}
	// A word misspelt inside a legal form of several words that ends the
	// name: "JOYNT STOCK COMPANY", "Limited Liabilty Company".
	for p := len(toks) - 2; p >= max(1, len(toks)-maxLegalWords); p-- {
		t := toks[p]
		if t.initials || t.connector || len(t.text) < 5 || slices.Contains(formWords, t.text) {
			continue
		}
		for _, w := range formWords {
			if w[0] != t.text[0] || names.Distance(w, t.text, 1) != 1 {
				continue
			}
			toks[p].text = w
			if legalAt(toks, len(toks), true) >= len(toks)-p {
				break
			}
			toks[p] = t
		}
	}
	// From the end, repeatedly: "Goldman Sachs & Co. LLC".
	for len(toks) > 0 {
		k := legalAt(toks, len(toks), true)
		if k == 0 {
			break
		}
		take(len(toks)-k, k)
		toks = toks[:len(toks)-k]
	}
	// From the start: "LLC Construction Dredging", "OOO Baikal".
	for len(toks) > 1 {
		k := legalAt(toks, 0, false)
		if k == 0 || k == len(toks) {
			break
		}
		take(0, k)
		toks = toks[k:]
	}
	// In the middle: only unambiguous forms.
	var out []rawToken
	for i := 0; i < len(toks); {
		if k := legalFrom(toks[i:]); k > 0 && k < len(toks) && unambiguous(toks[i:i+k]) {
			take(i, k)
			toks = append(toks[:i:i], toks[i+k:]...)
			continue
		}
		out = append(out, toks[i])
		i++
	}
	return out
}

// legalAt is the length of the longest legal form ending at end (suffix)
// or starting at end (prefix), or 0.
func legalAt(toks []rawToken, end int, suffix bool) int {
	if !suffix {
		return legalFrom(toks)
	}
	best := 0
	for k := 1; k <= min(maxLegalWords, end); k++ {
		if legalForms[joinText(toks[end-k:end])] {
			best = k
		}
	}
	return best
}

// legalFrom is the length of the longest legal form at the start of toks.
func legalFrom(toks []rawToken) int {
	best := 0
	for k := 1; k <= min(maxLegalWords, len(toks)); k++ {
		if legalForms[joinText(toks[:k])] {
			best = k
		}
	}
	return best
}

// cutWidth is the length from which a name may have been cut short by a
// field of fixed width, its last word with it.
const cutWidth = 30

// nearLegalWords are the words of legal forms that w misspells (one
// letter apart, 8 letters or more, the same first letter) or, in a name
// that may have been cut short, begins (4 letters or more).
func nearLegalWords(w string, cut bool) []string {
	var out []string
	for _, l := range legalWords {
		switch {
		case cut && len(w) >= 4 && len(w) < len(l) && strings.HasPrefix(l, w):
			out = append(out, l)
		case len(w) >= 8 && w[0] == l[0] && names.Distance(w, l, 1) == 1:
			out = append(out, l)
		}
	}
	return out
}

func joinText(toks []rawToken) string {
	s := make([]string, len(toks))
	for i, t := range toks {
		s[i] = t.text
	}
	return strings.Join(s, " ")
}

func unambiguous(toks []rawToken) bool {
	s := joinText(toks)
	return len(toks) > 1 || midLegal[s]
}

func joint(toks []rawToken) bool {
	s := joinText(toks)
	return s == "jv" || s == "joint venture" || s == "ute" || s == "a joint venture"
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// stem removes an English or Spanish plural ending from a word long enough
// to have one: "services" and "service", "industries" and "industry",
// "constructores" and "constructor" compare equal.
func stem(w string) string {
	switch {
	case len(w) < 5:
		return w
	case strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "ores"), strings.HasSuffix(w, "ones"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}

// gluedLegal splits a legal form written in capitals onto the end of a
// word in lower case: "SiemensAG", "AcmeLLC".
func gluedLegal(c string) (name, form string, ok bool) {
	end := len(c)
	for end > 0 && c[end-1] >= 'A' && c[end-1] <= 'Z' {
		end--
	}
	if end == len(c) || end < 3 || c[end-1] < 'a' || c[end-1] > 'z' {
		return "", "", false
	}
	if !legalForms[strings.ToLower(c[end:])] || len(c)-end < 2 {
		return "", "", false
	}
	return c[:end], c[end:], true
}
