package intake

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/priority"
)

// Kinds of intake question: how a form asks it.
const (
	AskSituation = "situation" // a choice of amparo.Situations, starting unanswered
	AskCountry   = "country"   // a country chosen by name
	AskDate      = "date"
	AskYesNo     = "yesno" // a box, unticked unless the person ticks it
)

// Question is one question of the intake that the priority policy may
// score: the form field (also the field of amparo.Facts' history entries),
// the CSV column that answers it, and the policy facts its answer fills.
type Question struct {
	Field  string
	Column string
	Kind   string
	Facts  []string
}

// Questions is the one list of what intake asks that the policy scores:
// the public and staff forms ask every one of them, the CSV template has a
// column for each, and every fact of package priority is filled by one of
// them or named in NotAsked (TestQuestions_CoverThePolicy).
var Questions = []Question{
	{"situation", "immigration_situation", AskSituation, []string{"tps_holder", "asylum_seeker", "daca_recipient"}},
	{"tps_country", "tps_country", AskCountry, []string{"tps_country", "tps_ending_within"}},
	{"country_of_birth", "country_of_birth", AskCountry, []string{"tps_country", "tps_ending_within"}},
	{"facing_removal", "facing_removal", AskYesNo, []string{"facing_removal"}},
	{"next_hearing", "next_hearing", AskDate, []string{"hearing_within"}},
	{"detained", "detained", AskYesNo, []string{"detained"}},
	{"unaccompanied_minor", "unaccompanied_minor", AskYesNo, []string{"unaccompanied_minor"}},
	{"survivor", "survivor_of_violence_or_trafficking", AskYesNo, []string{"trafficking_survivor", "violence_survivor"}},
	{"unhoused", "unhoused", AskYesNo, []string{"unhoused"}},
}

// NotAsked are the policy's facts that intake deliberately does not ask,
// each with why.
var NotAsked = map[string]string{
	"violent_felony_conviction": "only for an exclusion that is off by default; collect it only if the program turns it on",
}

// Country is a country as a form offers it: its ISO 3166-1 alpha-2 code
// and its name in the reader's language.
type Country struct{ Code, Name string }

// notCountries are codes that language calls countries and people do not.
var notCountries = map[string]bool{"EU": true, "EZ": true, "UN": true, "QO": true, "XA": true, "XB": true, "ZZ": true}

var countries sync.Map // language tag string -> []Country

// Countries lists every country, named in lang and in that language's
// alphabetical order, for a select: people choose a name, never type a
// code.
func Countries(lang string) []Country {
	tag := language.Make(lang)
	if v, ok := countries.Load(tag.String()); ok {
		return v.([]Country)
	}
	namer := display.Regions(tag)
	if namer == nil { // a language CLDR does not name countries in: English names
		namer = display.Regions(language.English)
	}
	var out []Country
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			r, err := language.ParseRegion(string([]rune{a, b}))
			if err != nil || !r.IsCountry() || r.IsPrivateUse() || r.Canonicalize() != r || r.String() != string([]rune{a, b}) || notCountries[r.String()] {
				continue
			}
			if name := namer.Name(r); name != "" {
				out = append(out, Country{r.String(), name})
			}
		}
	}
	c := collate.New(tag, collate.Loose)
	slices.SortFunc(out, func(x, y Country) int { return cmp.Or(c.CompareString(x.Name, y.Name), cmp.Compare(x.Code, y.Code)) })
	countries.Store(tag.String(), out)
	return out
}

// ScoredFacts names the policy facts true of a on today: what any policy
// could score. Days-counting facts are checked at their widest (3650 days).
// A person who answered nothing has none.
func ScoredFacts(a *amparo.Applicant, today time.Time) []string {
	var src strings.Builder
	src.WriteString("policy \"every fact\"\n")
	for i, f := range priority.KnownFacts() {
		days := ""
		if f.Days {
			days = " 3650 days"
		}
		fmt.Fprintf(&src, "rule r%d points 1 when %s%s %q\n", i, f.Name, days, f.Name)
	}
	p, err := priority.ParsePolicy(src.String())
	if err != nil {
		panic("intake: the every-fact policy: " + err.Error()) // built from KnownFacts: cannot fail
	}
	r, err := priority.Rank(p, priority.DefaultTPSTable(), today, []priority.Applicant{{ID: "a", Facts: Facts(a)}})
	if err != nil {
		panic("intake: ranking one applicant: " + err.Error())
	}
	pl, _ := r.Lookup("a")
	var out []string
	for _, x := range pl.Reasons {
		out = append(out, x.Text)
	}
	return out
}

// CountryName names the country of an ISO code in lang; the code itself if
// it is not one.
func CountryName(lang, code string) string {
	for _, c := range Countries(lang) {
		if c.Code == code {
			return c.Name
		}
	}
	return code
}
