package names

import "strings"

// maxWords bounds the words of a name that count; the rest are ignored.
const maxWords = 6

// Word is one word of a name.
type Word struct {
	Orig string `json:"written"` // as written: "Pérez"
	Text string `json:"folded"`  // folded: "perez"
	Key  string `json:"key"`     // Spanish phonetic key: "peres"

	joined     string // with the particles before it: "delacruz"; "" without
	joinedOrig string // "de la Cruz"
	pos        int    // place in Name.words
}

// show is the word as a reviewer reads it, particles included.
func (w Word) show() string {
	if w.joinedOrig != "" {
		return w.joinedOrig
	}
	return w.Orig
}

// Name is a parsed personal name.
type Name struct {
	Given        []Word   `json:"given"`
	Surnames     []Word   `json:"surnames"`
	Particles    []string `json:"particles,omitempty"`
	SurnameFirst bool     `json:"surname_first,omitempty"` // written "SURNAME, Given"

	words    []Word    // all words in written order, particles aside
	readings []reading // the first is Given and Surnames
}

// reading is one way to tell given names from surnames.
type reading struct {
	given, surnames []Word
	alt             bool // not the most likely reading
}

// Parse reads a name written "Given Given Surname Surname" or
// "SURNAME Surname, Given Given". Particles (de, del, la, y, van...) are set
// aside and remembered with the surname they precede, titles and suffixes
// (Dr., Jr.) dropped. Without a comma, three words are read as one given
// name and two surnames unless the second is a common given name or an
// initial (Juan Carlos Pérez, Rosa M. Olivares); other readings, surnames first among them, are kept for
// Score to try at a small cost.
func Parse(s string) Name {
	var n Name
	if i := strings.IndexByte(s, ','); i >= 0 {
		sur, sp := words(letters(tokenize(s[:i])))
		giv, gp := words(letters(tokenize(strings.ReplaceAll(s[i+1:], ",", " "))))
		if len(sur) > 0 && len(giv) > 0 {
			sur = capWords(sur)
			giv = giv[:min(len(giv), maxWords-len(sur))]
			n.SurnameFirst = true
			n.Particles = append(sp, gp...)
			n.words = number(append(sur, giv...))
			sur, giv = n.words[:len(sur)], n.words[len(sur):]
			n.readings = []reading{{given: giv, surnames: sur}}
			n.Given, n.Surnames = giv, sur
			return n
		}
		s = strings.ReplaceAll(s, ",", " ")
	}
	w, p := words(letters(tokenize(s)))
	w = number(capWords(w))
	n.words, n.Particles = w, p
	n.readings = readings(w)
	n.Given, n.Surnames = n.readings[0].given, n.readings[0].surnames
	return n
}

// number records each word's place in the name.
func number(w []Word) []Word {
	for i := range w {
		w[i].pos = i
	}
	return w
}

func capWords(w []Word) []Word {
	if len(w) > maxWords {
		return w[:maxWords]
	}
	return w
}

// words turns tokens into words, setting particles and titles aside.
func words(toks []token) ([]Word, []string) {
	var out []Word
	var parts []string
	var pending []token
	for i, t := range toks {
		last := i == len(toks)-1
		switch {
		case noise[t.text]:
			continue
		case particles[t.text] && !last && (len(t.text) > 1 || len(out) > 0):
			// "y" and "e" join two surnames; at the start they are initials.
			pending = append(pending, t)
			parts = append(parts, t.text)
			continue
		}
		w := Word{Orig: t.orig, Text: t.text, Key: Key(t.text)}
		if len(pending) > 0 && t.text != "y" && t.text != "e" {
			var j, jo strings.Builder
			for _, p := range pending {
				if p.text == "y" || p.text == "e" {
					continue
				}
				j.WriteString(p.text)
				jo.WriteString(p.orig + " ")
			}
			if j.Len() > 0 {
				w.joined, w.joinedOrig = j.String()+t.text, jo.String()+t.orig
			}
		}
		pending = pending[:0]
		out = append(out, w)
	}
	if len(out) == 0 && len(toks) > 0 {
		// A name of particles or titles only: they are its words.
		for _, t := range toks {
			out = append(out, Word{Orig: t.orig, Text: t.text, Key: Key(t.text)})
		}
		parts = nil
	}
	return out, parts
}

// compoundFirst are the first given names that take particles: María del
// Carmen, José de Jesús, Juan de Dios, Ana de la Luz.
var compoundFirst = set("maria jose juan ana")

// readings lists the ways to split words written in one run, the most
// likely first.
func readings(w []Word) []reading {
	split := func(g int, surFirst, alt bool) reading {
		if surFirst {
			return reading{given: w[len(w)-g:], surnames: w[:len(w)-g], alt: alt}
		}
		return reading{given: w[:g], surnames: w[g:], alt: alt}
	}
	n := len(w)
	switch {
	case n == 0:
		return []reading{{}}
	case n == 1:
		if givenNames[w[0].Text] && !surnames[w[0].Text] {
			return []reading{split(1, false, false), split(0, false, true)}
		}
		return []reading{split(0, false, false), split(1, false, true)}
	case n == 2:
		return []reading{split(1, false, false), split(1, true, true)}
	case n == 3:
		g := 1
		// Juan Carlos Pérez, Rosa M. Olivares, María de los Ángeles Soto;
		// but Pedro de la Rosa: after particles, a surname.
		if givenNames[w[1].Text] && !surnames[w[1].Text] && (w[1].joined == "" || compoundFirst[w[0].Text]) || len(w[1].Text) == 1 {
			g = 2
		}
		return []reading{split(g, false, false), split(3-g, false, true), split(1, true, true)}
	}
	return []reading{split(n-2, false, false), split(n-1, false, true), split(n-2, true, true)}
}
