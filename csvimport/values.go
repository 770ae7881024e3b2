package csvimport

import (
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/amparo-project/amparo"
)

// problem is what is wrong with one value: a code and its arguments.
type problem struct {
	code string
	args []any
}

func bad(code string, args ...any) *problem { return &problem{code, args} }

// quoteMax is the most characters of a value an error message repeats.
const quoteMax = 40

// shown returns v short enough to repeat in a message.
func shown(v string) string {
	if n := 0; len(v) > quoteMax {
		for i := range v {
			if n == quoteMax {
				return v[:i] + "…"
			}
			n++
		}
	}
	return v
}

// parseDate reads YYYY-MM-DD and the US MM/DD/YYYY (one-digit months and
// days too). A two-digit year is refused as ambiguous, and so is a slash
// date whose first number cannot be a month, because it is likely
// day/month/year.
func parseDate(s string) (amparo.Date, *problem) {
	var y, m, d int
	var ok bool
	if p := strings.Split(s, "-"); len(p) == 3 && len(p[0]) == 4 {
		y, ok = num(p[0], 4, 4)
		m, ok2 := num(p[1], 1, 2)
		d, ok3 := num(p[2], 1, 2)
		if !ok || !ok2 || !ok3 {
			return amparo.Date{}, bad(CodeBadDate, shown(s))
		}
		return calendar(s, y, m, d)
	}
	p := strings.Split(s, "/")
	if len(p) != 3 {
		return amparo.Date{}, bad(CodeBadDate, shown(s))
	}
	m, ok = num(p[0], 1, 2)
	d, ok2 := num(p[1], 1, 2)
	y, ok3 := num(p[2], 2, 4)
	if !ok || !ok2 || !ok3 || len(p[2]) == 3 {
		return amparo.Date{}, bad(CodeBadDate, shown(s))
	}
	if len(p[2]) == 2 {
		a, errA := calendar(s, 1900+y, m, d)
		b, errB := calendar(s, 2000+y, m, d)
		if errA != nil || errB != nil {
			return amparo.Date{}, bad(CodeBadDate, shown(s))
		}
		return amparo.Date{}, bad(CodeAmbiguousDate, shown(s), a.String(), b.String())
	}
	if m > 12 && d <= 12 {
		if dayFirst, err := calendar(s, y, d, m); err == nil {
			return amparo.Date{}, bad(CodeDayFirstDate, shown(s), dayFirst.String())
		}
	}
	return calendar(s, y, m, d)
}

// num reads an unsigned decimal of between min and max digits.
func num(s string, min, max int) (int, bool) {
	if len(s) < min || len(s) > max {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// calendar returns the date y-m-d if it exists (no 31 April) and falls
// between 1900 and 2100.
func calendar(s string, y, m, d int) (amparo.Date, *problem) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return amparo.Date{}, bad(CodeBadDate, shown(s))
	}
	if y < 1900 || y > 2100 {
		return amparo.Date{}, bad(CodeDateRange, shown(s))
	}
	return amparo.Date{Time: t}, nil
}

var yesNo = map[string]bool{
	"yes": true, "y": true, "si": true, "s": true, "true": true, "verdadero": true, "v": true, "1": true, "x": true,
	"sí": true, "Sí": true, "SÍ": true,
	"no": false, "n": false, "false": false, "falso": false, "f": false, "0": false,
}

// parseBool reads yes/no in English or Spanish, true/false and 1/0.
// "x" is yes: people tick a cell with it.
func parseBool(s string) (bool, *problem) {
	v, ok := yesNo[s]
	if !ok {
		v, ok = yesNo[fold(s)]
	}
	if !ok {
		return false, bad(CodeBadBool, shown(s))
	}
	return v, nil
}

var situations = map[string]string{}

func init() {
	for code, words := range map[string][]string{
		amparo.SituationDACA:        {"daca", "deferred_action_for_childhood_arrivals", "accion_diferida"},
		amparo.SituationTPS:         {"tps", "temporary_protected_status", "estatus_de_proteccion_temporal", "proteccion_temporal"},
		amparo.SituationPendingCase: {"pending_case", "pending", "caso_pendiente", "pendiente"},
		amparo.SituationAsylum:      {"asylum_seeker", "asylum", "asylum_applicant", "asilo", "solicitante_de_asilo", "solicitud_de_asilo"},
		amparo.SituationLPR:         {"lpr", "green_card", "permanent_resident", "lawful_permanent_resident", "residente_permanente", "residente_permanente_legal", "residencia_permanente", "tarjeta_verde"},
		amparo.SituationOther:       {"other", "otro", "otra"},
		amparo.SituationUnknown:     {"dont_know", "i_dont_know", "do_not_know", "prefer_not_to_say", "no_se", "no_lo_se", "prefiero_no_decir", "prefiero_no_decirlo"},
		amparo.SituationNoneKnown:   {"none_known", "none", "unknown", "undocumented", "ninguna_conocida", "ninguno_conocido", "ninguna", "ninguno", "desconocida", "desconocido", "sin_estatus", "indocumentado", "indocumentada"},
	} {
		for _, w := range words {
			situations[w] = code
		}
	}
}

func parseSituation(s string) (string, *problem) {
	if v, ok := situations[fold(s)]; ok {
		return v, nil
	}
	return "", bad(CodeBadSituation, shown(s))
}

// languageNames maps language names people write, folded, to their codes;
// codes themselves are read by golang.org/x/text/language.
var languageNames = map[string]string{
	"english": "en", "ingles": "en",
	"spanish": "es", "espanol": "es", "castellano": "es",
	"portuguese": "pt", "portugues": "pt",
	"french": "fr", "frances": "fr",
	"haitian_creole": "ht", "creole": "ht", "kreyol": "ht", "kreyol_ayisyen": "ht", "criollo_haitiano": "ht", "creole_haitiano": "ht",
	"chinese": "zh", "mandarin": "zh", "chino": "zh", "mandarin_chino": "zh",
	"cantonese": "yue", "cantones": "yue",
	"arabic": "ar", "arabe": "ar",
	"russian": "ru", "ruso": "ru",
	"ukrainian": "uk", "ucraniano": "uk",
	"vietnamese": "vi", "vietnamita": "vi",
	"korean": "ko", "coreano": "ko",
	"tagalog": "tl", "filipino": "tl",
	"k_iche": "quc", "kiche": "quc", "quiche": "quc",
	"q_anjob_al": "kjb", "qanjobal": "kjb", "kanjobal": "kjb",
	"quechua": "qu", "nahuatl": "nah", "mixtec": "mix", "mixteco": "mix", "zapotec": "zap", "zapoteco": "zap",
	"tigrinya": "ti", "amharic": "am", "amharico": "am", "somali": "so", "wolof": "wo",
	"farsi": "fa", "persian": "fa", "persa": "fa", "dari": "prs", "pashto": "ps", "pastun": "ps",
	"nepali": "ne", "burmese": "my", "birmano": "my", "hindi": "hi", "punjabi": "pa", "panyabi": "pa",
}

var languageCode = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$`)

func parseLanguage(s string) (string, *problem) {
	if v, ok := languageNames[fold(s)]; ok {
		return v, nil
	}
	if languageCode.MatchString(s) {
		if t, err := language.Parse(s); err == nil && t != language.Und {
			return t.String(), nil
		}
	}
	return "", bad(CodeBadLanguage, shown(s))
}

// countryNames maps the countries most of the program's clients name, in
// English and Spanish, folded; any ISO 3166-1 code is read too.
var countryNames = map[string]string{
	"el_salvador": "SV", "salvador": "SV", "honduras": "HN", "guatemala": "GT", "nicaragua": "NI",
	"mexico": "MX", "haiti": "HT", "venezuela": "VE", "cuba": "CU", "colombia": "CO", "ecuador": "EC",
	"peru": "PE", "bolivia": "BO", "chile": "CL", "argentina": "AR", "brazil": "BR", "brasil": "BR",
	"panama": "PA", "costa_rica": "CR", "dominican_republic": "DO", "republica_dominicana": "DO",
	"united_states": "US", "estados_unidos": "US", "ukraine": "UA", "ucrania": "UA",
	"afghanistan": "AF", "afganistan": "AF", "somalia": "SO", "sudan": "SD", "south_sudan": "SS",
	"sudan_del_sur": "SS", "syria": "SY", "siria": "SY", "yemen": "YE", "nepal": "NP",
	"burma": "MM", "myanmar": "MM", "birmania": "MM", "ethiopia": "ET", "etiopia": "ET",
	"cameroon": "CM", "camerun": "CM", "lebanon": "LB", "libano": "LB", "china": "CN", "india": "IN",
	"senegal": "SN", "mauritania": "MR", "eritrea": "ER", "russia": "RU", "rusia": "RU",
}

// parseCountry returns the ISO 3166-1 alpha-2 code of a country code
// (alpha-2 or alpha-3) or name.
func parseCountry(s string) (string, *problem) {
	if v, ok := countryNames[fold(s)]; ok {
		return v, nil
	}
	if n := len(s); n == 2 || n == 3 {
		letters := true
		for i := 0; i < n; i++ {
			c := s[i] | 0x20
			letters = letters && c >= 'a' && c <= 'z'
		}
		if r, err := language.ParseRegion(s); letters && err == nil && r.IsCountry() {
			return r.String(), nil
		}
	}
	return "", bad(CodeBadCountry, shown(s))
}

func parsePhone(s string) (string, *problem) {
	if !amparo.IsPhone(s) {
		return "", bad(CodeBadPhone, shown(s))
	}
	return s, nil
}

func parseEmail(s string) (string, *problem) {
	if !amparo.IsEmail(s) {
		return "", bad(CodeBadEmail, shown(s))
	}
	return s, nil
}
