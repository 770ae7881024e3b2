package screening

import (
	"math"
	"slices"
	"strings"

	"github.com/amparo-project/amparo/names"
)

// Weights of the evidence.
const (
	weightDistinct = 1.0  // a word that names one company
	weightGeneric  = 0.2  // Construction, Group, Services...
	weightInitials = 0.6  // "J.H."
	weightShort    = 0.5  // a word of one or two letters
	distinctAt     = 0.45 // from this weight a word is distinctive
	simTypo1       = 0.9  // one letter apart, words of 5 letters or more
	simTypo2       = 0.8  // two letters apart, words of 9 letters or more
	simJoined      = 0.95 // "Good Will" and "Goodwill"
	simTypoWeak    = 0.6  // "Ford" and "Fjord", "Health" and "Wealth": possible at most
	weakTypoCap    = 0.84 // below MatchThreshold: a weak typo is for a person to check

	factorNumberDiffers    = 0.5  // "Builders 2" and "Builders 3": strong
	factorNumberOneSide    = 0.65 // "Fund" and "Fund II": another of a series
	factorFirstOneSide     = 0.75 // "Fund" and "Fund I": the first of a series is often named without its number; possible at most
	factorInitialsOnly     = 0.8  // "L & H Sweden" and "L & H Mendez Sweden": initials shared, a name on one side only
	factorInitialsDiffer   = 0.6  // "J.H. Smith" and "J.R. Smith": strong
	factorJVOneSide        = 0.95 // a joint venture and a company of the same name
	factorWordsDiffer      = 0.8  // a word of what the company does in each name, that the other lacks
	factorPlaceDiffers     = 0.7  // "Banco Santander México" and "Banco Santander Chile"
	factorFormsDiffer      = 0.85 // "Inc." and "L.L.C.": two kinds of company
	factorBodiesDiffer     = 0.75 // "L.P." and "L.L.C.": a partnership is no company
	factorNonprofit        = 0.6  // "ANO" and "LLC": a non-profit is no company, strong
	factorIDConflict       = 0.75 // both have a UEI, and they differ
	genericOnlyCap         = 0.6  // below PossibleThreshold: never decided on generic words
	acronymScore           = 0.75 // "BFBC" and "Barnard Fisher Border Constructors": possible, never match
	minAcronym, maxAcronym = 3, 6
)

// weigher gives a word's weight; an index adds the rarity of the word in
// its registry to the lists'.
type weigher func(w *NameWord) float64

func listWeight(w *NameWord) float64 {
	switch {
	case w.Kind == WordInitials:
		return weightInitials
	case generic[w.Key] || generic[w.Text] || places[w.Key]:
		return weightGeneric
	case len(w.Key) <= 2:
		return weightShort
	}
	return weightDistinct
}

// CompareNames compares two company names, without identifiers.
func CompareNames(a, b string) Result {
	return CompareCompanies(Company{Names: []string{a}}, Company{Names: []string{b}})
}

// CompareCompanies compares two companies: the same identifier makes a
// match whatever the names; a different identifier of the same kind counts
// strongly against; otherwise the best pair of their names decides.
func CompareCompanies(a, b Company) Result {
	r, _ := compare(parseCompany(a), parseCompany(b), listWeight, true)
	return r
}

// parsed is a company read once: an index keeps these.
type parsed struct {
	names []CompanyName
	ids   []CompanyID
}

func parseCompany(c Company) parsed {
	p := parsed{ids: c.IDs}
	for _, n := range c.Names {
		if strings.TrimSpace(n) != "" {
			p.names = append(p.names, NormalizeCompany(n))
			for _, alt := range aliases(n) {
				p.names = append(p.names, NormalizeCompany(alt))
			}
		}
	}
	return p
}

// aliasMarks say that what follows is another name of the company: "Fisher
// Industries d/b/a Fisher Sand & Gravel", "Acme Corp (formerly Acme Inc.)".
var aliasMarks = []string{" d/b/a ", " dba ", " d.b.a. ", " a/k/a ", " aka ", " a.k.a. ", " f/k/a ", " fka ", " f.k.a. ",
	" doing business as ", " also known as ", " formerly known as ", " formerly ", " trading as ", " t/a "}

// aliases are the names written inside one name, each on its own: the
// parts around an alias mark, and the parts around a slash between words
// ("Al-Qa'ida/Islamic Army"; never "A/S" or "24/7": each part has a word
// of three letters or more). The whole name is read as well, by the caller.
func aliases(n string) []string {
	if !strings.Contains(n, "/") && !strings.Contains(n, " ") {
		return nil
	}
	lower := strings.ToLower(n)
	var parts []string
	for _, m := range aliasMarks {
		if i := strings.Index(lower, m); i > 0 {
			parts = []string{n[:i], n[i+len(m):]}
			break
		}
	}
	if parts == nil {
		parts = []string{n}
	}
	var out []string
	for _, p := range parts {
		if sub := strings.Split(p, "/"); len(sub) > 1 && !slices.ContainsFunc(sub, noWord) {
			out = append(out, sub...)
		} else if len(parts) > 1 {
			out = append(out, p)
		}
	}
	for i := range out {
		out[i] = strings.Trim(out[i], " ()[],;-")
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" || s == n })
}

// noWord says that s has no word of three letters or more.
func noWord(s string) bool {
	for _, w := range words(s) {
		if len(w) >= 3 && !isDigits(w) {
			return false
		}
	}
	return true
}

// compare compares two companies; it also returns the index of b's name
// that compared best (-1 without names).
func compare(a, b parsed, wt weigher, explain bool) (Result, int) {
	var r Result
	best, bestName := -1.0, -1
	for i := range a.names {
		for j := range b.names {
			s, f := compareNames(&a.names[i], &b.names[j], wt, explain)
			if s > best {
				best, r.Features, bestName = s, f, j
			}
		}
	}
	if best < 0 {
		best = 0
		if explain {
			r.Features = []Feature{feature("name_none", 0)}
		}
	}
	same, conflicts := compareIDs(a.ids, b.ids)
	for _, c := range conflicts {
		if same == nil {
			after := best * factorIDConflict
			r.Features = append(r.Features, feature("id_conflict."+string(c[0].Kind), after-best, c[0].Value, c[1].Value))
			best = after
		} else {
			r.Features = append(r.Features, feature("id_conflict."+string(c[0].Kind), 0, c[0].Value, c[1].Value))
		}
	}
	if same != nil {
		r.Features = append([]Feature{feature("id_same."+string(same.Kind), 1-best, same.Value)}, r.Features...)
		best = 1
	}
	r.Score = math.Round(best*1e4) / 1e4
	r.Decision = decide(r.Score)
	if !explain {
		r.Features = nil
	}
	return r, bestName
}

// compareIDs finds an identifier the two share (the first kind in
// CompanyIDKinds order) and the kinds both have with no value in common.
func compareIDs(a, b []CompanyID) (same *CompanyID, conflicts [][2]CompanyID) {
	for _, k := range CompanyIDKinds {
		var x, y []CompanyID
		for _, id := range a {
			if id.Kind == k {
				x = append(x, id)
			}
		}
		for _, id := range b {
			if id.Kind == k {
				y = append(y, id)
			}
		}
		if len(x) == 0 || len(y) == 0 {
			continue
		}
		found := false
		for _, p := range x {
			for _, q := range y {
				if p.Value == q.Value && !found {
					found = true
					if same == nil {
						s := p
						same = &s
					}
				}
			}
		}
		if !found {
			conflicts = append(conflicts, [2]CompanyID{x[0], y[0]})
		}
	}
	return same, conflicts
}

// wordPair is a word of each name, paired.
type wordPair struct {
	i, j int
	sim  float64
}

// compareNames scores two names from 0 to 1: the weighted share of their
// words that pair (a Dice coefficient over word weights), then numbers,
// initials, acronyms and joint ventures.
func compareNames(a, b *CompanyName, wt weigher, explain bool) (float64, []Feature) {
	var feats []Feature
	add := func(f Feature) {
		if explain {
			feats = append(feats, f)
		}
	}
	wa, na := splitNumbers(a.Words)
	wb, nb := splitNumbers(b.Words)
	wa, wb = joinCompounds(wa, wb), joinCompounds(wb, wa)
	wa, wb = joinInitialisms(wa, wb), joinInitialisms(wb, wa)
	if len(wa) == 0 || len(wb) == 0 {
		if len(wa) == 0 && len(wb) == 0 && len(na) > 0 && slices.Equal(na, nb) {
			add(feature("number_only", 0, a.Orig, b.Orig))
			return genericOnlyCap, feats
		}
		add(feature("name_empty", 0))
		return 0, feats
	}
	ka, kb := make([]float64, len(wa)), make([]float64, len(wb))
	total := 0.0
	for i := range wa {
		ka[i] = wt(&wa[i])
		total += ka[i]
	}
	for j := range wb {
		kb[j] = wt(&wb[j])
		total += kb[j]
	}
	var cand []wordPair
	for i := range wa {
		for j := range wb {
			s := wordSim(&wa[i], &wb[j])
			if s < 1 && ka[i] < distinctAt && kb[j] < distinctAt || s == simTypoWeak && min(ka[i], kb[j]) < distinctAt {
				// Two generic words a letter apart are two words
				// (Constructors, Construction); so are a generic word and
				// a weak typo of it (Trading, Grading).
				s = 0
			}
			if s > 0 {
				cand = append(cand, wordPair{i, j, s})
			}
		}
	}
	slices.SortStableFunc(cand, func(x, y wordPair) int {
		vx, vy := x.sim*(ka[x.i]+kb[x.j]), y.sim*(ka[y.i]+kb[y.j])
		switch {
		case vx > vy:
			return -1
		case vx < vy:
			return 1
		}
		return 0
	})
	usedA, usedB := make([]bool, len(wa)), make([]bool, len(wb))
	var pairs []wordPair
	for _, p := range cand {
		if !usedA[p.i] && !usedB[p.j] {
			usedA[p.i], usedB[p.j] = true, true
			pairs = append(pairs, p)
		}
	}
	pairs = shortTypoAnchored(pairs, wa, ka, kb, usedA, usedB)
	for _, p := range pairs {
		if p.sim < 1 && (ka[p.i] < distinctAt) != (kb[p.j] < distinctAt) {
			// A typo of a generic word ("Suthwest") weighs as the generic
			// word, not as a distinctive one.
			low := min(ka[p.i], kb[p.j])
			total -= ka[p.i] + kb[p.j] - 2*low
			ka[p.i], kb[p.j] = low, low
		}
	}
	// The last word of one name a letter from the other's legal form:
	// "Siemens AkG" and "Siemens AG".
	var legalTypo [2]string
	for _, side := range [2]struct {
		ws    []NameWord
		k     []float64
		used  []bool
		other *CompanyName
	}{{wa, ka, usedA, b}, {wb, kb, usedB, a}} {
		last := len(side.ws) - 1
		if last < 1 || side.used[last] || side.ws[last].Kind == WordNumber || len(side.ws[last].Key) > 5 {
			continue
		}
		for k, f := range side.other.formsFolded {
			if len(f) >= 2 && len(f) <= 5 && names.Distance(side.ws[last].Key, f, 1) == 1 {
				total -= side.k[last]
				side.k[last], side.used[last] = 0, true
				legalTypo = [2]string{side.ws[last].Orig, side.other.LegalForms[k]}
				break
			}
		}
	}
	sum, distinct, weak := 0.0, false, legalTypo[0] != ""
	for _, p := range pairs {
		weak = weak || p.sim == simTypoWeak
		sum += p.sim * (ka[p.i] + kb[p.j])
		if ka[p.i] >= distinctAt && kb[p.j] >= distinctAt {
			distinct = true
		}
	}
	score := sum / total
	// The names written with other spaces ("Andrang Heta", "'Ndrangheta";
	// "Tech Corp", "TechCorp"): compared as one word each.
	joined := false
	if score < simJoined {
		if s := compactSim(a, b, len(wa), len(wb)); s > score {
			score, joined, weak = s, true, s == simTypoWeak
			for i := range usedA {
				usedA[i] = true
				distinct = distinct || ka[i] >= distinctAt
			}
			for j := range usedB {
				usedB[j] = true
				distinct = distinct || kb[j] >= distinctAt
			}
		}
	}

	if explain {
		if joined {
			add(feature("name_similar", 0, a.Orig, b.Orig))
			feats = append(feats, ignored(a, b)...)
			if score == simJoined {
				add(feature("word_joined", score, a.Orig, b.Orig))
			} else {
				add(feature("word_typo", score, a.Orig, b.Orig))
			}
		} else if a.Core() == b.Core() {
			if a.Orig == b.Orig {
				add(feature("name_identical", score, a.Orig))
			} else {
				add(feature("name_equivalent", score, a.Orig, b.Orig))
			}
			feats = append(feats, ignored(a, b)...)
		} else {
			add(feature("name_similar", 0, a.Orig, b.Orig))
			feats = append(feats, ignored(a, b)...)
			if legalTypo[0] != "" {
				add(feature("word_typo_weak", 0, legalTypo[0], legalTypo[1]))
			}
			for _, p := range pairs {
				x, y := &wa[p.i], &wb[p.j]
				w := p.sim * (ka[p.i] + kb[p.j]) / total
				switch {
				case p.sim == 1 && x.Text == y.Text:
					add(feature("word_same", w, x.Orig, y.Orig))
				case p.sim == 1 && x.Kind == WordInitials && (strings.Contains(x.Text, " ") || strings.Contains(y.Text, " ")):
					add(feature("word_initials", w, x.Orig, y.Orig))
				case p.sim == 1:
					add(feature("word_plural", w, x.Orig, y.Orig))
				case p.sim == simJoined:
					add(feature("word_joined", w, x.Orig, y.Orig))
				case p.sim == simTypoWeak:
					add(feature("word_typo_weak", w, x.Orig, y.Orig))
				default:
					add(feature("word_typo", w, x.Orig, y.Orig))
				}
			}
			for i, u := range usedA {
				if !u && ka[i] > 0 {
					add(missing(&wa[i], ka[i], total))
				}
			}
			for j, u := range usedB {
				if !u {
					add(missing(&wb[j], kb[j], total))
				}
			}
		}
	}

	// A word on each side that the other lacks: two companies more often
	// than one ("Sumitomo Mitsui Trust Bank", "Sumitomo Mitsui Banking";
	// "BAE Systems", "BAE Industries").
	if xa, xb := unpairedDiffering(wa, usedA), unpairedDiffering(wb, usedB); xa != "" && xb != "" && score > 0 {
		after := score * factorWordsDiffer
		add(feature("words_differ", after-score, xa, xb))
		score = after
	}
	// Initials are all the names share, and one has a name the other
	// lacks: "L & H Sweden AB" and "L & H Mendez Sweden AB".
	if !joined && score > 0 {
		if in, w := initialsOnly(wa, wb, pairs, ka, kb, usedA, usedB); in != "" {
			after := score * factorInitialsOnly
			add(feature("initials_only", after-score, in, w))
			score = after
		}
	}
	// Two places: two companies of one group.
	if pa, pb := unpairedPlace(wa, usedA), unpairedPlace(wb, usedB); pa != "" && pb != "" && score > 0 {
		after := score * factorPlaceDiffers
		add(feature("place_differs", after-score, pa, pb))
		score = after
	}
	// Two kinds of body: a partnership is not a corporation.
	if f := formsDiffer(a.families, b.families); f < 1 && score > 0 {
		after := score * f
		add(feature("legal_differs", after-score, strings.Join(a.LegalForms, " "), strings.Join(b.LegalForms, " ")))
		score = after
	}
	if weak && score > weakTypoCap {
		add(feature("typo_weak", weakTypoCap-score))
		score = weakTypoCap
	}
	// Nothing is decided on generic words alone.
	if !distinct && score > genericOnlyCap {
		var shared []string
		for _, p := range pairs {
			shared = append(shared, wa[p.i].Orig)
		}
		add(feature("generic_only", genericOnlyCap-score, strings.Join(shared, " ")))
		score = genericOnlyCap
	}
	// Initials must agree.
	if ia, ib := unpairedInitials(wa, usedA), unpairedInitials(wb, usedB); ia != "" && ib != "" {
		after := score * factorInitialsDiffer
		add(feature("initials_differ", after-score, ia, ib))
		score = after
	}
	// Numbers must agree.
	switch {
	case len(na) > 0 && len(nb) > 0 && !slices.Equal(na, nb):
		after := score * factorNumberDiffers
		add(feature("number_differs", after-score, shownNumbers(a), shownNumbers(b)))
		score = after
	case len(na) > 0 && len(nb) > 0:
		add(feature("number_same", 0, shownNumbers(a)))
	case len(na)+len(nb) > 0:
		f := factorNumberOneSide
		if slices.Equal(na, []string{"1"}) || slices.Equal(nb, []string{"1"}) {
			f = factorFirstOneSide
		}
		after := score * f
		n := shownNumbers(a) + shownNumbers(b)
		add(feature("number_one_side", after-score, n))
		score = after
	}
	if a.JV != b.JV {
		after := score * factorJVOneSide
		add(feature("jv_one_side", after-score))
		score = after
	}
	if score < acronymScore {
		if short, long, ok := acronym(a, b); ok {
			add(feature("acronym", acronymScore-score, short, long))
			score = acronymScore
		}
	}
	return score, feats
}

// wordSim is how alike two words are: 1 the same (plural aside), less for
// a typo in a long word, 0 otherwise. Short words, numbers and initials
// must be the same.
func wordSim(x, y *NameWord) float64 {
	if x.Key == y.Key {
		return 1
	}
	if x.Kind != WordPlain || y.Kind != WordPlain {
		return 0
	}
	short := min(len(x.Key), len(y.Key))
	if len(x.Key) == 3 && len(y.Key) == 3 {
		// "CVC" and "CVS", "Wai" and "Hai": a weak typo, kept only
		// beside a distinctive word the names share (shortTypoAnchored).
		if names.Distance(x.Key, y.Key, 1) == 1 {
			return simTypoWeak
		}
		return 0
	}
	if short < 4 || abs(len(x.Key)-len(y.Key)) > 2 {
		return 0
	}
	// A typo keeps the first letter or sound: Cencora and Sencora may be
	// one word; a long word may lose its first letter ("Invidia" and
	// "Nvidia"). Another first letter ("Wealth" and "Health", "Grading"
	// and "Trading") and a letter apart in a word of four ("Benn" and
	// "Benz") are weak typos: a person checks them.
	if x.Key[0] != y.Key[0] && x.sound != y.sound {
		switch {
		case short >= 6 && (x.Key[1:] == y.Key || y.Key[1:] == x.Key):
			return simTypo1
		case len(x.Key) == len(y.Key) && x.Key[1:] == y.Key[1:]:
			return simTypoWeak
		}
		return 0
	}
	if short == 4 {
		if names.Distance(x.Key, y.Key, 1) == 1 {
			return simTypoWeak
		}
		return 0
	}
	switch names.Distance(x.Key, y.Key, 2) {
	case 1:
		return simTypo1
	case 2:
		if short >= 9 {
			return simTypo2
		}
		// Two letters apart after the same first three: "Baowei" and
		// "Baowu" (but "Everhart" and "Eberhardt" are two names).
		if x.Key[:3] == y.Key[:3] {
			return simTypoWeak
		}
	}
	return 0
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// splitNumbers sets the numbers of a name apart, sorted.
func splitNumbers(ws []NameWord) ([]NameWord, []string) {
	var out []NameWord
	var nums []string
	for _, w := range ws {
		if w.Kind == WordNumber {
			nums = append(nums, w.Key)
		} else {
			out = append(out, w)
		}
	}
	slices.Sort(nums)
	return out, nums
}

func shownNumbers(n *CompanyName) string {
	var s []string
	for _, w := range n.Words {
		if w.Kind == WordNumber {
			s = append(s, w.Orig)
		}
	}
	return strings.Join(s, " ")
}

// joinCompounds joins two adjacent words of ws that the other name writes
// as one ("Good Will" and "Goodwill").
func joinCompounds(ws, other []NameWord) []NameWord {
	if len(ws) < 2 {
		return ws
	}
	has := func(k string) bool {
		for i := range other {
			if other[i].Key == k {
				return true
			}
		}
		return false
	}
	// A join can only give a word of the other name that begins as
	// ws[i] does and is longer: most pairs of names have none.
	could := func(w *NameWord) bool {
		for i := range other {
			if len(other[i].Key) > len(w.Key) && w.Text != "" && other[i].Key[0] == w.Text[0] {
				return true
			}
		}
		return false
	}
	var out []NameWord // nil until a join
next:
	for i := 0; i < len(ws); i++ {
		if ws[i].Kind != WordNumber && could(&ws[i]) && !has(ws[i].Key) {
			// "Good Will", "Van Der Bilt" (the "der" was never set aside).
			joined, orig := ws[i].Text, ws[i].Orig
			for k := i + 1; k < min(i+3, len(ws)) && ws[k].Kind != WordNumber; k++ {
				joined, orig = joined+ws[k].Text, orig+" "+ws[k].Orig
				if has(joined) || has(stem(joined)) {
					fold := ""
					for _, w := range ws[i : k+1] {
						fold += w.fold
					}
					if out == nil {
						out = append(make([]NameWord, 0, len(ws)), ws[:i]...)
					}
					out = append(out, NameWord{Orig: orig, Text: joined, Key: stem(joined), sound: firstSound(stem(joined)), fold: fold})
					i = k
					continue next
				}
			}
		}
		if out != nil {
			out = append(out, ws[i])
		}
	}
	if out == nil {
		return ws
	}
	return out
}

// joinInitialisms joins adjacent words of ws whose first letters are
// initials of the other name: "United States" for "U.S.".
func joinInitialisms(ws, other []NameWord) []NameWord {
	var inits []string
	for _, o := range other {
		if o.Kind == WordInitials && len(o.Key) >= 2 && !strings.Contains(o.Text, " ") {
			inits = append(inits, o.Key)
		}
	}
	if len(inits) == 0 || len(ws) < 2 {
		return ws
	}
	var out []NameWord
next:
	for i := 0; i < len(ws); i++ {
		for _, in := range inits {
			k := len(in)
			if i+k > len(ws) {
				continue
			}
			run := ws[i : i+k]
			ok := true
			for m, w := range run {
				ok = ok && w.Kind == WordPlain && w.Text[0] == in[m]
			}
			if ok {
				orig, text, fold := make([]string, k), make([]string, k), ""
				for m, w := range run {
					orig[m], text[m], fold = w.Orig, w.Text, fold+w.fold
				}
				out = append(out, NameWord{Orig: strings.Join(orig, " "), Text: strings.Join(text, " "), Key: in, Kind: WordInitials, fold: fold})
				i += k - 1
				continue next
			}
		}
		out = append(out, ws[i])
	}
	return out
}

// formsDiffer is the factor for two names' families of legal forms: 1
// when either has none or they share one.
func formsDiffer(fa, fb []string) float64 {
	if len(fa) == 0 || len(fb) == 0 {
		return 1
	}
	for _, f := range fa {
		if slices.Contains(fb, f) {
			return 1
		}
	}
	companies := func(fs []string) bool {
		for _, f := range fs {
			if f != "corporation" && f != "limited_liability" {
				return false
			}
		}
		return true
	}
	if companies(fa) && companies(fb) {
		return factorFormsDiffer
	}
	if slices.Contains(fa, "nonprofit") || slices.Contains(fb, "nonprofit") {
		return factorNonprofit
	}
	return factorBodiesDiffer
}

// unpairedDiffering is the first word of ws left unpaired that says what
// the company is or does (not a place, not a word of organisation such as
// "Group"), or "".
func unpairedDiffering(ws []NameWord, used []bool) string {
	for i, w := range ws {
		if !used[i] && w.Kind == WordPlain && !places[w.Key] && !organisational[w.Key] {
			return w.Orig
		}
	}
	return ""
}

// unpairedPlace is the first place of ws left unpaired, or "".
func unpairedPlace(ws []NameWord, used []bool) string {
	for i, w := range ws {
		if !used[i] && places[w.Key] {
			return w.Orig
		}
	}
	return ""
}

func unpairedInitials(ws []NameWord, used []bool) string {
	for i, w := range ws {
		if !used[i] && w.Kind == WordInitials {
			return w.Orig
		}
	}
	return ""
}

func missing(w *NameWord, weight, total float64) Feature {
	if weight < distinctAt {
		return feature("generic_missing", -weight/total, w.Orig)
	}
	return feature("word_missing", -weight/total, w.Orig)
}

// ignored explains what the reading of the names set aside.
func ignored(a, b *CompanyName) []Feature {
	var out []Feature
	join := func(x, y []string) string {
		var s []string
		seen := map[string]bool{}
		for _, v := range append(slices.Clone(x), y...) {
			if !seen[v] {
				seen[v] = true
				s = append(s, v)
			}
		}
		return strings.Join(s, ", ")
	}
	if s := join(a.LegalForms, b.LegalForms); s != "" {
		out = append(out, feature("legal_ignored", 0, s))
	}
	if s := join(a.Connectors, b.Connectors); s != "" {
		out = append(out, feature("connector_ignored", 0, s))
	}
	if s := join(a.Articles, b.Articles); s != "" {
		out = append(out, feature("article_ignored", 0, s))
	}
	for _, e := range append(slices.Clone(a.Expanded), b.Expanded...) {
		out = append(out, feature("abbreviation", 0, e[0], e[1]))
	}
	return out
}

// acronym says whether one name is a single word of 3 to 6 letters that
// spells the first letters of the other's words (legal form included:
// "SLSCO" and "Sullivan Land Services Co.").
func acronym(a, b *CompanyName) (short, long string, ok bool) {
	for _, p := range [2][2]*CompanyName{{a, b}, {b, a}} {
		s, l := p[0], p[1]
		// The short name may add places: "PLA China".
		own, n := -1, 0
		for i := range s.Words {
			if !places[s.Words[i].Key] {
				own, n = i, n+1
			}
		}
		if n != 1 || len(l.Words) < 2 || s.Words[own].Kind == WordNumber || len(s.Words[own].fold) < minAcronym ||
			len(s.Words[own].fold) > maxAcronym {
			continue
		}
		w := strings.Join(words(s.Words[own].Orig), "")
		if len(w) < minAcronym || len(w) > maxAcronym {
			continue
		}
		var first strings.Builder
		for _, x := range l.Words {
			first.WriteByte(x.Text[0])
		}
		f := first.String()
		if len(f) < 2 {
			continue
		}
		cands := []string{f}
		for _, lf := range l.LegalForms {
			folded := strings.Join(words(lf), "")
			cands = append(cands, f+folded, f+folded[:1])
		}
		if slices.Contains(cands, w) {
			return s.Orig, l.Orig, true
		}
	}
	return "", "", false
}

// shortTypoAnchored unpairs the weak typos of three-letter words ("CVC",
// "CVS") unless the names also share a distinctive word of their own:
// "CVC Health" and "CVS Health" may be one company, "CVC" and "CVS" are
// two.
func shortTypoAnchored(pairs []wordPair, wa []NameWord, ka, kb []float64, usedA, usedB []bool) []wordPair {
	anchored, short := false, false
	for _, p := range pairs {
		if p.sim == 1 && ka[p.i] >= distinctAt && kb[p.j] >= distinctAt && wa[p.i].Kind == WordPlain {
			anchored = true
		}
		short = short || p.sim < 1 && len(wa[p.i].Key) == 3
	}
	if anchored || !short {
		return pairs
	}
	return slices.DeleteFunc(pairs, func(p wordPair) bool {
		if p.sim < 1 && len(wa[p.i].Key) == 3 {
			usedA[p.i], usedB[p.j] = false, false
			return true
		}
		return false
	})
}

// compactSim compares two names written as one word each, without their
// spaces (and with a legal form the other name glued to its last word):
// simJoined when they are the same letters, simTypo1 for a typo of one
// letter where the names have a different number of words (split, their
// counts are na and nb), 0 otherwise.
func compactSim(a, b *CompanyName, na, nb int) float64 {
	ja, jb := a.compact, b.compact
	if ja == "" || jb == "" || abs(len(ja)-len(jb)) > 6 {
		return 0
	}
	if ja == jb {
		return simJoined
	}
	for _, f := range a.formsFolded {
		if len(ja)+len(f) == len(jb) && strings.HasPrefix(jb, ja) && strings.HasSuffix(jb, f) {
			return simJoined
		}
	}
	for _, f := range b.formsFolded {
		if len(jb)+len(f) == len(ja) && strings.HasPrefix(ja, jb) && strings.HasSuffix(ja, f) {
			return simJoined
		}
	}
	// A typo as well, of one letter only, where the spaces differ, in
	// names of eight letters or more besides their generic words: two
	// letters over a whole name are two names ("Sigma Group", "Cigna
	// Group"), and so are "Lun Dor Builders" and "Lundorf Builders".
	if a.ownLetters < 8 || b.ownLetters < 8 || na == nb {
		return 0
	}
	x := NameWord{Key: ja, sound: firstSound(ja)}
	y := NameWord{Key: jb, sound: firstSound(jb)}
	if s := wordSim(&x, &y); s == simTypo1 {
		return s
	}
	return 0
}

// initialsOnly says which initials are the only distinctive words two names
// share, and which distinctive word one name has that the other lacks
// ("", "" otherwise).
func initialsOnly(wa, wb []NameWord, pairs []wordPair, ka, kb []float64, usedA, usedB []bool) (string, string) {
	in := ""
	for _, p := range pairs {
		if ka[p.i] < distinctAt || kb[p.j] < distinctAt {
			continue
		}
		if wa[p.i].Kind != WordInitials && wb[p.j].Kind != WordInitials {
			return "", ""
		}
		if in != "" {
			in += " "
		}
		in += wa[p.i].Orig
	}
	if in == "" {
		return "", ""
	}
	for _, side := range [2]struct {
		ws   []NameWord
		k    []float64
		used []bool
	}{{wa, ka, usedA}, {wb, kb, usedB}} {
		for i, w := range side.ws {
			if !side.used[i] && w.Kind == WordPlain && side.k[i] >= distinctAt && !organisational[w.Key] {
				return in, w.Orig
			}
		}
	}
	return "", ""
}
