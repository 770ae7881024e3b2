package names

import (
	"strings"
)

// Reason is one piece of evidence behind a score, in words a reviewer
// understands.
type Reason struct {
	Code    string `json:"code"`   // stable, for programs: "surname_sound", "birth_differs"...
	Effect  string `json:"effect"` // "for", "against" or "neutral" the same person
	English string `json:"en"`
	Spanish string `json:"es"`
}

const (
	effFor     = "for"
	effAgainst = "against"
	effNeutral = "neutral"
)

// Text is the reason in lang ("es" for Spanish, English otherwise).
func (r Reason) Text(lang string) string {
	if strings.HasPrefix(lang, "es") {
		return r.Spanish
	}
	return r.English
}

func because(code, effect, en, es string) Reason {
	return Reason{Code: code, Effect: effect, English: en, Spanish: es}
}

func role(given bool) (code, en, es string) {
	if given {
		return "given", "Given name", "Nombre"
	}
	return "surname", "Surname", "Apellido"
}

// q quotes a name in English, g in Spanish.
func q(s string) string { return "\u201c" + s + "\u201d" }
func g(s string) string { return "«" + s + "»" }

// pairReason explains the score of two paired words.
func pairReason(a, b *Word, given bool, k simKind) Reason {
	c, en, es := role(given)
	x, y := a.show(), b.show()
	en, es = en+" "+q(x)+" / "+q(y)+": ", es+" "+g(x)+" / "+g(y)+": "
	switch k {
	case kSame:
		if x == y {
			c, en, es := role(given)
			return because(c+"_same", effFor, en+" "+q(x)+": the same", es+" "+g(x)+": el mismo")
		}
		return because(c+"_same", effFor, en+"the same but for accents or capitals", es+"el mismo salvo acentos o mayúsculas")
	case kSound:
		return because(c+"_sound", effFor, en+"spelled differently, sound the same in Spanish", es+"se escriben distinto pero suenan igual")
	case kJoined:
		return because(c+"_joined", effFor, en+"the same, written as one word", es+"el mismo, escrito en una palabra")
	case kNick:
		n, _ := nickOf(a.Text, b.Text)
		return because(c+"_nickname", effFor, en+"common forms of "+q(n), es+"formas habituales de "+g(n))
	case kInitial:
		return because(c+"_initial", effFor, en+"an initial that fits", es+"una inicial que encaja")
	case kTypo1:
		return because(c+"_typo", effFor, en+"one letter apart, likely a typo", es+"a una letra, probable error de tecleo")
	case kTypo2:
		return because(c+"_typo", effFor, en+"two letters apart, maybe a typo", es+"a dos letras, quizá un error de tecleo")
	case kGuard:
		return because(c+"_first_sound", effAgainst, en+"alike, but they start with a different sound: different names",
			es+"parecidos, pero empiezan con otro sonido: nombres distintos")
	case kGender:
		return because(c+"_gender", effAgainst, en+"masculine and feminine forms, different names", es+"forma masculina y femenina, nombres distintos")
	case kKnownDiff:
		return because(c+"_different", effAgainst, en+"two different common names", es+"dos nombres comunes distintos")
	case kExtends:
		return because(c+"_different", effAgainst, en+"one is longer than the other, different names", es+"uno alarga al otro, nombres distintos")
	}
	return because(c+"_different", effAgainst, en+"different", es+"distintos")
}

// missingReason explains a word only one name has.
func missingReason(w *Word, given bool, place int) Reason {
	x := w.show()
	switch {
	case given:
		return because("given_missing", effNeutral, "Given name "+q(x)+" appears in one name only (a weak difference)",
			"El nombre "+g(x)+" aparece solo en uno (diferencia débil)")
	case place == 0:
		return because("surname_first_missing", effAgainst, "First surname "+q(x)+" appears in one name only: the other gives only a later surname",
			"El primer apellido "+g(x)+" aparece solo en uno: el otro da solo un apellido posterior")
	}
	return because("surname_second_missing", effNeutral, "Second surname "+q(x)+" appears in one name only (a weak difference)",
		"El segundo apellido "+g(x)+" aparece solo en uno (diferencia débil)")
}

func missingRoleReason(given bool) Reason {
	if given {
		return because("given_none", effAgainst, "One name has no given name: only surnames can be compared",
			"Uno de los nombres no tiene nombre de pila: solo se comparan apellidos")
	}
	return because("surname_none", effAgainst, "One name has no surname: only given names can be compared",
		"Uno de los nombres no tiene apellido: solo se comparan nombres de pila")
}

func orderReason(given bool) Reason {
	if given {
		return because("given_order", effNeutral, "Given names in a different order", "Nombres de pila en otro orden")
	}
	return because("surname_order", effAgainst, "Surnames in a different order", "Apellidos en otro orden")
}

// readAs explains a less likely reading that was taken.
func readAs(n *Name, r reading) Reason {
	show := func(ws []Word) string {
		s := make([]string, len(ws))
		for i := range ws {
			s[i] = ws[i].show()
		}
		return strings.Join(s, " ")
	}
	gs, ss := show(r.given), show(r.surnames)
	w := show(n.words)
	return because("reading", effNeutral,
		"Read "+q(w)+" as given name(s) "+q(gs)+" and surname(s) "+q(ss),
		"Se leyó "+g(w)+" como nombre(s) "+g(gs)+" y apellido(s) "+g(ss))
}
