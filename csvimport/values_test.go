package csvimport

import (
	"testing"

	"github.com/amparo-project/amparo"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct{ in, want, code string }{
		{"1990-03-25", "1990-03-25", ""},
		{"1990-3-5", "1990-03-05", ""},
		{"03/25/1990", "1990-03-25", ""},
		{"3/5/1990", "1990-03-05", ""},
		{"12/31/2030", "2030-12-31", ""},
		{"2/29/2000", "2000-02-29", ""},
		{"2/29/1900", "", CodeBadDate},
		{"3/4/85", "", CodeAmbiguousDate},
		{"03/04/05", "", CodeAmbiguousDate},
		{"13/1/90", "", CodeBadDate}, // neither reading of a two-digit year helps
		{"25/03/1990", "", CodeDayFirstDate},
		{"31/31/1990", "", CodeBadDate},
		{"1990-13-01", "", CodeBadDate},
		{"1990-04-31", "", CodeBadDate},
		{"1899-12-31", "", CodeDateRange},
		{"2101-01-01", "", CodeDateRange},
		{"3/5/990", "", CodeBadDate},
		{"25.03.1990", "", CodeBadDate},
		{"03-25-1990", "", CodeBadDate},
		{"1990-03-25T00:00:00", "", CodeBadDate},
		{"March 25, 1990", "", CodeBadDate},
		{"-1/-1/-1", "", CodeBadDate},
		{"+990-01-01", "", CodeBadDate},
	} {
		d, pr := parseDate(tc.in)
		code := ""
		if pr != nil {
			code = pr.code
		}
		if d.String() != tc.want || code != tc.code {
			t.Errorf("parseDate(%q) = %s, %q; want %s, %q", tc.in, d, code, tc.want, tc.code)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{
		"yes": true, "Yes": true, "Y": true, "sí": true, "SÍ": true, "si": true, "true": true, "TRUE": true,
		"1": true, "x": true, "verdadero": true,
		"no": false, "NO": false, "n": false, "false": false, "0": false, "falso": false,
	} {
		if got, pr := parseBool(in); pr != nil || got != want {
			t.Errorf("parseBool(%q) = %v, %v", in, got, pr)
		}
	}
	for _, in := range []string{"maybe", "2", "nope", "tal vez"} {
		if _, pr := parseBool(in); pr == nil || pr.code != CodeBadBool {
			t.Errorf("parseBool(%q) accepted", in)
		}
	}
}

func TestParseSituation(t *testing.T) {
	for in, want := range map[string]string{
		"DACA": amparo.SituationDACA, "tps": amparo.SituationTPS, "TPS ": amparo.SituationTPS,
		"pending case": amparo.SituationPendingCase, "Caso pendiente": amparo.SituationPendingCase,
		"asylum_seeker": amparo.SituationAsylum, "Solicitante de asilo": amparo.SituationAsylum, "asilo": amparo.SituationAsylum,
		"LPR": amparo.SituationLPR, "green card": amparo.SituationLPR, "Residente permanente": amparo.SituationLPR,
		"otra": amparo.SituationOther, "Other": amparo.SituationOther,
		"none_known": amparo.SituationNoneKnown, "Ninguna conocida": amparo.SituationNoneKnown, "desconocido": amparo.SituationNoneKnown,
	} {
		if got, pr := parseSituation(in); pr != nil || got != want {
			t.Errorf("parseSituation(%q) = %q, %v; want %q", in, got, pr, want)
		}
	}
	// Every situation of the domain is accepted by its own code.
	for _, s := range amparo.Situations {
		if got, _ := parseSituation(s); got != s {
			t.Errorf("situation %q read as %q", s, got)
		}
	}
	if _, pr := parseSituation("refugee"); pr == nil {
		t.Error("refugee accepted")
	}
}

func TestParseLanguageAndCountry(t *testing.T) {
	for in, want := range map[string]string{
		"es": "es", "ES": "es", "es-MX": "es-MX", "es_mx": "es-MX", "Español": "es", "spanish": "es",
		"Kreyòl": "ht", "Haitian Creole": "ht", "K'iche'": "quc", "Q'anjob'al": "kjb", "mam": "mam", "eng": "en",
	} {
		if got, pr := parseLanguage(in); pr != nil || got != want {
			t.Errorf("parseLanguage(%q) = %q, %v; want %q", in, got, pr, want)
		}
	}
	for _, in := range []string{"klingon", "xx", "und", "e", "español latino"} {
		if _, pr := parseLanguage(in); pr == nil {
			t.Errorf("parseLanguage(%q) accepted", in)
		}
	}
	for in, want := range map[string]string{
		"SV": "SV", "sv": "SV", "SLV": "SV", "El Salvador": "SV", "Haití": "HT", "México": "MX",
		"República Dominicana": "DO", "Honduras": "HN", "ven": "VE",
	} {
		if got, pr := parseCountry(in); pr != nil || got != want {
			t.Errorf("parseCountry(%q) = %q, %v; want %q", in, got, pr, want)
		}
	}
	for _, in := range []string{"Atlantis", "ZZ", "EU", "222", "S"} {
		if _, pr := parseCountry(in); pr == nil {
			t.Errorf("parseCountry(%q) accepted", in)
		}
	}
}

func TestMatchHeader(t *testing.T) {
	for in, want := range map[string]string{
		"legal_name": "legal_name", "Legal Name": "legal_name", "LEGAL-NAME": "legal_name", "nombre legal": "legal_name",
		"Nombre_Legal": "legal_name", " Legal name * ": "legal_name",
		"Fecha de Nacimiento": "date_of_birth", "DOB": "date_of_birth", "Date of birth (MM/DD/YYYY)": "date_of_birth",
		"Situación migratoria": "immigration_situation", "SITUACION MIGRATORIA": "immigration_situation",
		"Teléfono": "phone", "Correo electrónico": "email", "Código postal": "postal_code",
		"País de nacimiento": "country_of_birth", "País TPS": "tps_country", "Enfrenta deportación": "facing_removal",
		"Próxima audiencia": "next_hearing", "Menor no acompañado": "unaccompanied_minor",
		"Sobreviviente de violencia o trata": "survivor_of_violence_or_trafficking",
		"Fecha de registro":                  "intake_date", "Referencia de origen": "source_reference",
	} {
		c := matchHeader(in)
		if c < 0 || columns[c].name != want {
			t.Errorf("matchHeader(%q) = %d, want %s", in, c, want)
		}
	}
	for _, in := range []string{"Favourite Color", "notes", "", "nombre legal 2"} {
		if c := matchHeader(in); c >= 0 {
			t.Errorf("matchHeader(%q) = %s", in, columns[c].name)
		}
	}
}

// TestColumns_HeadersUnique checks that no header names two columns: the
// map that reads them would keep only the last.
func TestColumns_HeadersUnique(t *testing.T) {
	seen := map[string]string{}
	for _, c := range columns {
		for _, h := range append([]string{c.name, catalog().T("es", "import.column."+c.name)}, c.aliases...) {
			if h != fold(h) {
				t.Errorf("%s: header %q is not folded", c.name, h)
			}
			if other, dup := seen[h]; dup && other != c.name {
				t.Errorf("header %q names %s and %s", h, other, c.name)
			}
			seen[h] = c.name
		}
		if c.max == 0 || c.max > maxValue*2 {
			t.Errorf("%s: limit %d", c.name, c.max)
		}
	}
}
