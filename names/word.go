package names

// simKind says why two words scored as they did.
type simKind uint8

const (
	kSame      simKind = iota // equal once folded
	kSound                    // equal phonetic key
	kJoined                   // de la Cruz, Delacruz
	kNick                     // Pepe, José
	kInitial                  // J., Juan
	kTypo1                    // one edit apart
	kTypo2                    // two edits apart, in a long word
	kGuard                    // alike, but start with a different sound
	kGender                   // Mario, María
	kKnownDiff                // two different common names: María, Marta
	kExtends                  // one is the other and more: Martín, Martínez
	kDifferent
)

// wordSim scores two words from 0 to 1. given selects the rules of given
// names: nicknames, and masculine and feminine forms (which also apply to
// a common given name read as a surname).
// dist caches the typo distance of the pair, which does not depend on
// given: -1 until known.
func wordSim(a, b *Word, given bool, dist *int8) (float64, simKind) {
	if a.Text == b.Text {
		return 1, kSame
	}
	if a.Key == b.Key {
		return 0.95, kSound
	}
	if (a.joined != "" && a.joined == b.Text) || (b.joined != "" && b.joined == a.Text) {
		return 0.95, kJoined
	}
	if given {
		if _, ok := nickOf(a.Text, b.Text); ok {
			return 0.9, kNick
		}
	}
	if len(a.Text) == 1 || len(b.Text) == 1 {
		switch {
		case a.Text[0] != b.Text[0]:
			return 0.2, kDifferent
		case given:
			return 0.8, kInitial
		}
		return 0.7, kInitial
	}
	if *dist < 0 {
		*dist = int8(typos(a, b))
	}
	d := int(*dist)
	if firstSound(a.Key) != firstSound(b.Key) {
		// Jaro-Winkler gives Hernández, Fernández 0.965; a different first
		// sound is, in practice, a different family.
		if d <= 2 {
			return 0.45, kGuard
		}
		return 0.2, kDifferent
	}
	switch {
	case (given || givenNames[a.Text] || givenNames[b.Text]) && genderPair(a.Text, b.Text):
		return 0.4, kGender
	case known(a.Text) && known(b.Text):
		return 0.4, kKnownDiff
	case extends(a.Key, b.Key):
		return 0.5, kExtends
	}
	l := max(len(a.Key), len(b.Key))
	switch {
	case d == 1 && l >= 5:
		return 0.9, kTypo1
	case d == 1 && l == 4:
		return 0.85, kTypo1
	case d == 2 && l >= 8:
		return 0.8, kTypo2
	case d == 2 && l >= 6:
		return 0.78, kTypo2
	}
	return 0.25, kDifferent
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// typos is the number of edits between two words, in letters or in
// sounds, up to 3: more is no typo.
func typos(a, b *Word) int {
	d := 3
	if abs(len(a.Key)-len(b.Key)) <= 2 {
		d = osa(a.Key, b.Key, 2)
	}
	if d > 1 && abs(len(a.Text)-len(b.Text)) <= 2 {
		d = min(osa(a.Text, b.Text, 2), d)
	}
	return d
}

// firstSound is the first symbol of a key, every vowel counting as one: a
// slip between initial vowels (Ugarte, Ogarte) is a typo, while a consonant
// or a silent h against another consonant (Hernández, Fernández) is not.
func firstSound(key string) byte {
	switch {
	case key == "":
		return 0
	case isVowel(key[0]):
		return 'a'
	}
	return key[0]
}

// genderPair reports masculine and feminine forms of one name: Mario and
// María, Juan and Juana, Vicente and Vicenta.
func genderPair(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) < 3 {
		return false
	}
	if len(b) == len(a)+1 && b[:len(a)] == a && b[len(a)] == 'a' {
		return true
	}
	if len(a) != len(b) || a[:len(a)-1] != b[:len(b)-1] {
		return false
	}
	x, y := a[len(a)-1], b[len(b)-1]
	return (x == 'a' && (y == 'o' || y == 'e')) || (y == 'a' && (x == 'o' || x == 'e'))
}

// extends reports whether one key is the other and two or more sounds more:
// Martín and Martínez, Rosa and Rosario, Ana and Anabel.
func extends(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(b)-len(a) >= 2 && b[:len(a)] == a
}

// osa is the optimal string alignment distance: insertions, deletions,
// substitutions and swaps of adjacent letters, each counting one. Past
// limit it stops and returns limit+1.
func osa(a, b string, limit int) int {
	if len(a) > 31 || len(b) > 31 {
		a, b = a[:min(len(a), 31)], b[:min(len(b), 31)]
	}
	var rows [3][32]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		low := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			low = min(low, v)
		}
		if low > limit {
			return limit + 1 // every later row is as far at least
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}
