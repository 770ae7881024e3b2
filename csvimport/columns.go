package csvimport

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

type kind uint8

const (
	kindText kind = iota
	kindDate
	kindBool
	kindSituation
	kindLanguage
	kindCountry
	kindPhone
	kindEmail
)

// column is one column the import understands.
type column struct {
	name      string   // canonical: Error.Field, and a header Parse always reads
	aliases   []string // other headers people write, in folded form; the templates' headers are the catalog's
	kind      kind
	max       int  // most characters
	present   bool // the header must have the column
	filled    bool // every row must fill it
	multiline bool // may hold line breaks
}

// Column indexes into columns, in template order.
const (
	colLegalName = iota
	colPreferredName
	colBirthDate
	colLanguage
	colPhone
	colEmail
	colLine1
	colLine2
	colCity
	colRegion
	colPostalCode
	colCountryOfBirth
	colSituation
	colTPSCountry
	colFacingRemoval
	colNextHearing
	colDetained
	colUnaccompaniedMinor
	colUnhoused
	colSurvivor
	colIntakeDate
	colSourceRef
	numColumns
)

const maxValue = 200 // characters, for columns without a tighter limit

var columns = [numColumns]column{
	colLegalName:          {name: "legal_name", aliases: []string{"name", "full_name", "nombre", "nombre_completo"}, max: amparo.MaxNameLen, present: true, filled: true},
	colPreferredName:      {name: "preferred_name", aliases: []string{"nickname", "apodo"}, max: amparo.MaxNameLen},
	colBirthDate:          {name: "date_of_birth", aliases: []string{"birth_date", "birthdate", "dob", "fecha_nacimiento"}, kind: kindDate, max: 20, present: true},
	colLanguage:           {name: "preferred_language", aliases: []string{"language", "idioma"}, kind: kindLanguage, max: 35, present: true, filled: true},
	colPhone:              {name: "phone", aliases: []string{"phone_number", "numero_de_telefono", "celular"}, kind: kindPhone, max: 30},
	colEmail:              {name: "email", aliases: []string{"e_mail", "email_address", "correo"}, kind: kindEmail, max: 254},
	colLine1:              {name: "address_line1", aliases: []string{"address", "address_line_1", "street", "direccion", "direccion_linea_1", "calle"}, max: 200, multiline: true},
	colLine2:              {name: "address_line2", aliases: []string{"address_line_2", "apartment", "apt", "direccion_linea_2", "apartamento"}, max: 200, multiline: true},
	colCity:               {name: "city", max: 100},
	colRegion:             {name: "region", aliases: []string{"state", "provincia"}, max: 100},
	colPostalCode:         {name: "postal_code", aliases: []string{"zip", "zip_code", "zipcode"}, max: 20},
	colCountryOfBirth:     {name: "country_of_birth", aliases: []string{"birth_country", "pais_nacimiento", "pais_de_origen", "country_of_origin"}, kind: kindCountry, max: 60},
	colSituation:          {name: "immigration_situation", aliases: []string{"situation", "immigration_status", "estatus_migratorio", "estado_migratorio"}, kind: kindSituation, max: 60, present: true},
	colTPSCountry:         {name: "tps_country", aliases: []string{"tps_designation", "pais_del_tps"}, kind: kindCountry, max: 60},
	colFacingRemoval:      {name: "facing_removal", aliases: []string{"facing_deportation", "in_removal_proceedings", "en_proceso_de_deportacion"}, kind: kindBool, max: 20},
	colNextHearing:        {name: "next_hearing", aliases: []string{"next_hearing_date", "hearing_date", "fecha_de_audiencia", "fecha_proxima_audiencia"}, kind: kindDate, max: 20},
	colDetained:           {name: "detained", aliases: []string{"in_detention", "detenida", "detenido_a", "en_detencion"}, kind: kindBool, max: 20},
	colUnaccompaniedMinor: {name: "unaccompanied_minor", aliases: []string{"menor_no_acompanada", "menor_sin_acompanante"}, kind: kindBool, max: 20},
	colUnhoused:           {name: "unhoused", aliases: []string{"homeless", "sin_hogar", "en_situacion_de_calle"}, kind: kindBool, max: 20},
	colSurvivor:           {name: "survivor_of_violence_or_trafficking", aliases: []string{"survivor", "survivor_of_violence", "survivor_of_trafficking", "sobreviviente", "sobreviviente_de_violencia", "sobreviviente_de_trata"}, kind: kindBool, max: 20},
	colIntakeDate:         {name: "intake_date", aliases: []string{"date_of_intake", "fecha_de_ingreso", "fecha_de_admision", "fecha_de_solicitud"}, kind: kindDate, max: 20},
	colSourceRef:          {name: "source_reference", aliases: []string{"reference", "source_ref", "external_id", "referencia", "id_externo"}, max: 100},
}

// Columns lists the template's columns by their canonical (English)
// names, in template order.
func Columns() []string {
	out := make([]string, numColumns)
	for i, c := range columns {
		out[i] = c.name
	}
	return out
}

// headersOf maps every header Parse reads, folded, to its column: the
// canonical names, the aliases, and the header of every template of cat
// (its "import.column.NAME" in each language), so that a language's
// template is read as soon as its catalog file is added.
func headersOf(cat *locale.Catalog) map[string]int {
	if m, ok := headerCache.Load(cat); ok {
		return m.(map[string]int)
	}
	m := make(map[string]int)
	for i, c := range columns {
		for _, h := range append([]string{c.name}, c.aliases...) {
			m[fold(h)] = i
		}
		for _, lang := range append(cat.Languages(), cat.Partial()...) {
			if h := fold(cat.T(lang, "import.column."+c.name)); h != "" {
				if _, taken := m[h]; !taken {
					m[h] = i
				}
			}
		}
	}
	headerCache.Store(cat, m)
	return m
}

var headerCache sync.Map // *locale.Catalog → map[string]int

// matchHeader returns the column a header names in the embedded catalog's
// templates, or -1.
func matchHeader(h string) int { return matchHeaderIn(catalog(), h) }

// matchHeaderIn returns the column a header names, or -1. Case, accents,
// spaces, punctuation and a parenthesised note ("Date of birth (MM/DD/YYYY)")
// do not matter.
func matchHeaderIn(cat *locale.Catalog, h string) int {
	if i := strings.IndexByte(h, '('); i > 0 {
		h = h[:i]
	}
	if i, ok := headersOf(cat)[fold(h)]; ok {
		return i
	}
	return -1
}

// fold returns s in lower case without accents, with every run of other
// characters than letters and digits as one underscore, trimmed: "Fecha de
// Nacimiento" and "fecha_de_nacimiento" fold alike.
func fold(s string) string {
	if folded(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	sep := false
	each(s, func(r rune) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(unicode.ToLower(r))
		} else {
			sep = true
		}
	})
	return b.String()
}

// each calls f with every rune of s, decomposed, leaving out combining marks
// (the accents).
func each(s string, f func(rune)) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		s = norm.NFD.String(s)
	}
	for _, r := range s {
		if !unicode.Is(unicode.Mn, r) {
			f(r)
		}
	}
}

// folded reports whether fold(s) is s, as it is for most values.
func folded(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
		case c == '_' && i > 0 && i < len(s)-1 && s[i-1] != '_':
		default:
			return false
		}
	}
	return true
}
