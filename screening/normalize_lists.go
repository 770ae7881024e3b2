package screening

import (
	"slices"
	"strings"
)

// The lists below are what NormalizeCompany knows of company names in
// English and Spanish. A change to them changes scores: bump
// MatchAlgorithm.

// legalForms are legal forms as folded words, dotted initials joined
// ("S. de R.L. de C.V." is "s de rl de cv").
var legalForms = set(`inc|incorporated|incorporation|co|cos|company|companies|corp|corporation|llc|l l c|limited liability company|limited liability co|
ltd|limited|lp|limited partnership|llp|lllp|plc|pllc|pc|professional corporation|jv|joint venture|a joint venture|
sa|sa de cv|s de rl|s de rl de cv|sapi de cv|sab de cv|sa cv|de cv|de rl de cv|sc|s en c|s en nc|sas|sl|slu|srl|sociedad anonima|
sociedad anonima de capital variable|sociedad de responsabilidad limitada|sociedad de responsabilidad limitada de capital variable|
sociedad civil|sociedad cooperativa|ute|ac|asociacion civil|
gmbh|ag|aktiengesellschaft|bv|nv|ab|as|oy|spa|sarl|pte|pty|pty ltd|pte ltd|kk|se|bvba|sp z oo|
jsc|ojsc|pjsc|cjsc|ooo|oao|zao|pao|joint stock company|open joint stock company|closed joint stock company|
public joint stock company|limited liability partnership|general partnership|dba|
gesellschaft mit beschrankter haftung|societatea cu raspundere limitata|societe anonyme|societa per azioni|
sp zoo|spolka z oo|sa de cv|ltda|cia|cia ltda|sac|saa|eirl|sae|sab|kg|gmbh co kg|gmbh and co kg|ohg|ev|aps|asa|oyj|hf|ehf|sro|doo|
kft|zrt|nyrt|sdn bhd|bhd|pvt ltd|private limited|pte ltd|tbk|pt|ano|nko|fgup|gup|mup|ip|pao|

общество с ограниченнои ответственностью|акционерное общество|оао|ооо|зао|пао|ао`)

// legalFamilies group the legal forms that say what kind of body a company
// is: a corporation, a limited-liability company, a partnership, a
// non-profit. Two names whose forms are of different families name two
// bodies more often than one ("Bowne Solutions, L.L.C." and "Bowne
// Litigation Solutions, L.P."). Forms used for several kinds ("Co.",
// "Ltd.", "S.A.S.") are in none.
var legalFamilies = families(map[string]string{
	"corporation": `inc|incorporated|corp|corporation|ag|aktiengesellschaft|sa|sa de cv|sa cv|sab|sab de cv|sapi de cv|plc|nv|jsc|ojsc|pjsc|cjsc|
oao|zao|pao|ao|ab|oy|oyj|spa|kk|se|asa|joint stock company|open joint stock company|closed joint stock company|public joint stock company|
societe anonyme|sociedad anonima|sociedad anonima de capital variable|societa per azioni|акционерное общество|оао|зао|пао|ао|tbk|sae|saa|sac`,
	"limited_liability": `llc|l l c|limited liability company|limited liability co|gmbh|ooo|общество с ограниченнои ответственностью|
s de rl|s de rl de cv|de rl de cv|srl|sarl|bv|sp zoo|sp z oo|sl|slu|ltda|sro|doo|kft|aps|gesellschaft mit beschrankter haftung|
sociedad de responsabilidad limitada|sociedad de responsabilidad limitada de capital variable|societatea cu raspundere limitata`,
	"partnership": `lp|llp|lllp|limited partnership|limited liability partnership|general partnership|s en c|s en nc|kg|ohg|gmbh co kg|gmbh and co kg`,
	"nonprofit":   `ano|nko|ac|asociacion civil|ev`,
})

func families(lists map[string]string) map[string]string {
	m := map[string]string{}
	for fam, forms := range lists {
		for f := range set(forms) {
			m[f] = fam
		}
	}
	return m
}

// legalWords are the words of legal forms long enough to be misspelt or
// cut short: "Aktiengeselschaft", "JOINT STOCK COMPAN".
var legalWords = func() []string {
	seen := map[string]bool{}
	var out []string
	for f := range legalForms {
		for _, w := range strings.Fields(f) {
			if len(w) >= 6 && !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	slices.Sort(out)
	return out
}()

// formWords are the words of five letters or more of the legal forms of
// several words: "joint", "stock", "liability".
var formWords = func() []string {
	var out []string
	for f := range legalForms {
		if ws := strings.Fields(f); len(ws) > 1 {
			for _, w := range ws {
				if len(w) >= 5 && !slices.Contains(out, w) {
					out = append(out, w)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}()

// midLegal are the one-word forms removed in the middle of a name too.
var midLegal = set(`inc|incorporated|llc|ltd|gmbh|plc|pllc|llp|lllp|jsc|ojsc|pjsc|ooo|oao|zao|corp|jv|dba`)

// maxLegalWords is the length of the longest legal form, in words.
const maxLegalWords = 7

// connectors join words and say nothing: "Fisher Sand & Gravel" is
// "Fisher Sand and Gravel". "&" and "+" are always connectors.
var connectors = set(`and|y|et|und`)

// articles and prepositions say nothing of which company it is.
var articles = set(`the|of|a|an|de|del|la|las|el|los|for|at|in`)

// ordinalEnd follows a number: "1st".
var ordinalEnd = set(`st|nd|rd|th|ro|do|er|vo|to|a|o`)

// numberWords are numbers and ordinals written out, in English and
// Spanish; tens and units that follow each other make one number.
var numberWords = map[string]int{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
	"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
	"fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
	"uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9,
	"diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "veinte": 20, "treinta": 30,
	"cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80, "noventa": 90,
	// Ordinals written out read as "1st", "2nd": "First Choice Paving" is
	// "1st Choice Paving".
	"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
	"primer": 1, "primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercer": 3, "tercero": 3, "tercera": 3}

// roman are the Roman numerals read as numbers (not "i", "v", "x": those
// are initials).
var roman = map[string]int{"ii": 2, "iii": 3, "iv": 4, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
	"xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16, "xvii": 17, "xviii": 18, "xix": 19, "xx": 20}

// abbreviations are written out before comparing.
var abbreviations = map[string]string{
	"bros": "brothers", "bro": "brothers", "hnos": "hermanos", "hermanas": "hermanos",
	"intl": "international", "int": "international", "internat": "international", "internacional": "international",
	"mfg": "manufacturing", "mfr": "manufacturing", "mfrs": "manufacturing",
	"svc": "services", "svcs": "services", "srvcs": "services", "serv": "services", "servs": "services", "servicios": "services",
	"constr": "construction", "const": "construction", "cnstr": "construction", "construccion": "construction",
	"construcciones": "construction", "constructora": "construction", "constructores": "constructors", "constructor": "constructors",
	"contr": "contractors", "contrs": "contractors", "contractor": "contractors", "contratistas": "contractors", "contratista": "contractors",
	"natl": "national", "nacional": "national", "assoc": "associates", "assocs": "associates", "assn": "association",
	"mgmt": "management", "mgt": "management", "dev": "development", "devel": "development",
	"eng": "engineering", "engr": "engineering", "engrg": "engineering", "engg": "engineering", "ingenieria": "engineering",
	"grp": "group", "grupo": "group", "hldgs": "holdings", "hldg": "holdings", "ind": "industries", "inds": "industries",
	"industrias": "industries", "tech": "technology", "technologies": "technology", "tecnologia": "technology",
	"sys": "systems", "sistemas": "systems", "ent": "enterprises", "ents": "enterprises", "empresas": "enterprises",
	"env": "environmental", "envtl": "environmental", "elec": "electric", "electrical": "electric",
	"mech": "mechanical", "co-op": "cooperative", "coop": "cooperative", "ctr": "center", "centre": "center",
	"dept": "department", "univ": "university", "assocs.": "associates", "mtn": "mountain", "mt": "mount",
	"sw": "southwest", "nw": "northwest", "ne": "northeast",
	"sudoeste": "southwest", "suroeste": "southwest", "transp": "transportation", "trans": "transportation",
	"materiales": "materials", "matls": "materials", "supplies": "supply", "suministros": "supply",
	"infraestructura": "infrastructure", "infra": "infrastructure", "pav": "paving", "pavimentos": "paving",
	"solns": "solutions", "soluciones": "solutions", "inv": "investments", "invs": "investments",
	"ingenieros": "engineers", "consultores": "consultants", "servicio": "services", "desarrollo": "development",
	"desarrollos": "development", "seguridad": "security", "acero": "steel", "concreto": "concrete",
	"transporte": "transportation", "transportes": "transportation", "logistica": "logistics",
}

// generic are the words many companies share: they weigh little, and
// nothing is decided on them alone. Compared by their stem.
var generic = stems(`construction|constructors|builders|building|group|services|holdings|industries|contractors|contracting|
enterprises|company|companies|southwest|southeast|northwest|northeast|southern|northern|western|eastern|north|south|east|west|
central|american|america|national|international|united|general|global|solutions|systems|technology|engineering|engineers|
management|partners|associates|consulting|consultants|development|developers|resources|supply|materials|products|
trading|capital|investments|properties|fund|trust|bank|financial|network|logistics|transportation|transport|
us|usa|new|first|pacific|atlantic|border|infrastructure|civil|environmental|energy|electric|mechanical|design|
paving|concrete|steel|fence|fencing|security|services|service|industrial|corporate|association|center|
texas|california|arizona|new mexico|mexico|mexicana|mexicano|angeles|san|diego|land|sand|gravel|
norte|sur|oeste|este|noroeste|noreste|sureste|industrial|industriales|
works|project|projects|site|sitework|earthwork|excavation|equipment|rentals|rental|maintenance|operations|
federal|government|state|public|municipal|county|regional|metropolitan|contract|contracts|hermanos|brothers|sons|family|son|bank|banco|

inc|co|corp|llc|ltd|limited|joint|venture|sa|cv|rl|sc|ag|gmbh|plc|lp|llp`)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Split(words, "|") {
		if w = strings.TrimSpace(w); w != "" {
			m[translit(w)] = true
		}
	}
	return m
}

func stems(words string) map[string]bool {
	m := map[string]bool{}
	for w := range set(words) {
		m[stem(w)] = true
	}
	return m
}

// places are countries, regions and states: generic words, and two names
// that differ in them ("Banco Santander México", "Banco Santander Chile")
// name two companies of one group. Compared by their stem.
var places = stems(`europe|european|europa|asia|asian|africa|african|latin|latina|latinoamerica|americas|caribbean|caribe|pacific|atlantic|
texas|california|arizona|mexico|mexicana|mexicano|nevada|colorado|florida|oklahoma|louisiana|utah|georgia|carolina|virginia|
canada|canadian|chile|peru|colombia|argentina|brazil|brasil|venezuela|ecuador|bolivia|uruguay|paraguay|guatemala|honduras|
salvador|nicaragua|panama|cuba|dominicana|puerto|rico|costa|rica|spain|espana|iberia|france|francaise|germany|deutschland|german|
italy|italia|britain|british|england|uk|ireland|scotland|netherlands|nederland|holland|belgium|belgie|luxembourg|switzerland|suisse|
schweiz|austria|sweden|sverige|norway|norge|denmark|danmark|finland|suomi|poland|polska|russia|rus|ukraine|turkey|turkiye|greece|
portugal|israel|egypt|india|pakistan|china|chinese|japan|korea|taiwan|singapore|malaysia|indonesia|philippines|vietnam|thailand|
australia|australasia|zealand|nordic|scandinavia|benelux|iberica|emea|apac|gulf|arabia|emirates|qatar|kuwait|
afghanistan|albania|algeria|andorra|angola|armenia|azerbaijan|bahamas|bahrain|bangladesh|barbados|belarus|belize|benin|bhutan|
bosnia|botswana|brunei|bulgaria|burkina|burundi|cambodia|cameroon|chad|comoros|congo|croatia|cyprus|czech|czechia|djibouti|
eritrea|estonia|eswatini|ethiopia|fiji|gabon|gambia|ghana|grenada|guinea|guyana|haiti|hungary|iceland|iran|iraq|jamaica|jordan|
kazakhstan|kenya|kosovo|kyrgyzstan|laos|latvia|lebanon|lesotho|liberia|libya|liechtenstein|lithuania|macedonia|madagascar|malawi|
maldives|mali|malta|mauritania|mauritius|moldova|monaco|mongolia|montenegro|morocco|mozambique|myanmar|namibia|nepal|niger|nigeria|
oman|palestine|rwanda|samoa|senegal|serbia|seychelles|slovakia|slovenia|somalia|sudan|suriname|syria|tajikistan|tanzania|togo|
tonga|trinidad|tunisia|turkmenistan|uganda|uzbekistan|vanuatu|yemen|zambia|zimbabwe|hongkong|macau|macao`)

// organisational words say how a company is organised, not what it does:
// one name may add or swap them ("Grupo Tecolote", "Tecolote
// Construcciones") without naming another company.
var organisational = stems(`group|holdings|holding|enterprises|company|companies|partners|associates|corporate|family|sons|son|
brothers|hermanos|international|national|global|united|general|the|new|first|worldwide|affiliates|ventures|venture|joint`)
