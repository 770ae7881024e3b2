package names

import "slices"

// Hash turns a blocking key into the token an index keeps. In production it
// is an HMAC under a key derived from the master key (see envelope's
// Tokens), so that an index, in memory or in a database, never holds
// anything from which a name can be read back.
type Hash func(key string) []byte

// Blocking keys. Two names share a key when two of their words agree in
// sound (or as a name and its nickname), one of them fully and the other
// up to one typo, in sound or in spelling (see partial); when an initial
// fits a word of the other name beside a shared word; when a one-word name
// shares its word; or when the dates of birth are equal. Keys of stored
// names and of queries differ for initials, one-word names and the typo
// forms of common names, so that a query never drags in every name that
// shares a single common word, or a common name one letter away.

// KeysVersion changes whenever the keys of a name change. Keys of two
// versions do not meet: a store that keeps them rebuilds them when it does.
const KeysVersion = 3 // 1 had no version; 2 was never released

// Keys returns the hashed keys under which p is filed: a store that keeps
// names encrypted saves these tokens beside the person's ID.
func Keys(p Person, hash Hash) [][]byte { return hashAll(keys(p, false), hash) }

// QueryKeys returns the hashed keys to look up to find the people who may
// be p: every stored person that shares one of them is a candidate.
func QueryKeys(p Person, hash Hash) [][]byte { return hashAll(keys(p, true), hash) }

func hashAll(ks []string, hash Hash) [][]byte {
	out := make([][]byte, len(ks))
	for i, k := range ks {
		out[i] = hash(k)
	}
	return out
}

// keys returns the plain blocking keys of p. They are as revealing as the
// name itself: they never leave the package unhashed.
func keys(p Person, query bool) []string {
	type word struct {
		forms   []string   // phonetic keys of the word and of the names it may stand for
		typos   [][]string // for each form, what survives a typo in it (see partial)
		initial string     // the word's initial, or the word itself when it is one
		isInit  bool
	}
	ws := make([]word, 0, len(p.Name.words))
	for _, w := range p.Name.words {
		x := word{initial: w.Text[:1], isInit: len(w.Text) == 1}
		if !x.isInit {
			add := func(text string, common bool) {
				k := Key(text)
				t := partial(k, common, query)
				if text != k {
					// A typo can change the sound itself (Raael, Rafael:
					// "rael", "rafael"), never both sound and spelling.
					t = append(t, partial(text, common, query)...)
				}
				x.forms, x.typos = append(x.forms, k), append(x.typos, t)
			}
			for _, c := range canonical(w.Text) {
				add(c, known(c))
			}
			if w.joined != "" {
				add(w.joined, false)
			}
		}
		ws = append(ws, x)
	}
	var out []string
	full := 0
	for i, x := range ws {
		if !x.isInit {
			full++
		}
		for j, y := range ws {
			if i == j || y.isInit {
				continue
			}
			for b, fy := range y.forms {
				if !x.isInit && i < j {
					for a, fx := range x.forms {
						for _, py := range y.typos[b] {
							out = append(out, "p|"+fx+"|"+py)
						}
						for _, px := range x.typos[a] {
							out = append(out, "p|"+fy+"|"+px)
						}
					}
				}
				// Initials: a query "J. Pérez" looks up every stored J-name
				// beside Pérez (a); a stored "J. Pérez" is found by every
				// query with a J-name beside Pérez (b).
				switch {
				case !x.isInit && query:
					out = append(out, "b|"+x.initial+"|"+fy)
				case !x.isInit:
					out = append(out, "a|"+x.initial+"|"+fy)
				case query:
					out = append(out, "a|"+x.initial+"|"+fy, "b|"+x.initial+"|"+fy)
				default:
					out = append(out, "b|"+x.initial+"|"+fy)
				}
			}
		}
	}
	// A stored name of one word (beside initials, maybe) is found by any
	// query with its word. A query of one word needs no key of its own: it
	// can only be Possible beside a name of one word, or an initial (a, b
	// above), or the same date of birth (d).
	for _, x := range ws {
		for _, f := range x.forms {
			if query || full < 2 {
				out = append(out, "s|"+f)
			}
		}
	}
	if full == 0 {
		for _, x := range ws {
			out = append(out, "w|!"+x.initial) // a name of initials only
		}
	}
	if !p.Birth.IsZero() {
		out = append(out, "d|"+p.Birth.Format("2006-01-02"))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// partial returns forms of a word's key (or spelling) of which one at least
// survives a typo: the key; for long keys their first and last three sounds; for
// short keys (where one typo can touch both) the key without each of its
// sounds in turn, as in SymSpell. The forms are marked K when the word is
// a common name and U when not. Two different common names are two names
// (Score gives the pair little), so a common name's typo forms need not
// meet another's: a stored word files its forms under its own mark, and a
// query looks up the U forms, the K forms too when its word is not a common
// name, and at least the K form of the key itself.
func partial(k string, common, query bool) []string {
	marks := "U"
	switch {
	case query && !common:
		marks = "UK"
	case !query && common:
		marks = "K"
	}
	var out []string
	if query && common {
		out = append(out, "K-"+k)
	}
	for _, m := range marks {
		m := string(m)
		out = append(out, m+"-"+k)
		if len(k) >= 7 {
			out = append(out, m+"<"+k[:3], m+">"+k[len(k)-3:])
		}
		if len(k) <= 7 {
			for i := range len(k) {
				out = append(out, m+"-"+k[:i]+k[i+1:])
			}
		}
	}
	return out
}
