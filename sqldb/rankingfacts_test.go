package sqldb

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/demo"
)

// randomFacts makes facts as intake records them, names and contacts with
// quotes, backslashes and accents among them.
func randomFacts(r *rand.Rand, now time.Time) amparo.Facts {
	c := demo.Client(r, "org", []string{"es", "en"}[r.IntN(2)], now)
	f := amparo.Facts{Personal: c.Personal, Email: "persona@example.org", InterpreterOK: r.IntN(2) == 0, UnaccompaniedMinor: r.IntN(5) == 0,
		Unhoused: r.IntN(4) == 0, Survivor: r.IntN(6) == 0, SourceRef: `fila "7" \ hoja`}
	if r.IntN(2) == 0 {
		f.LegalName += ` "Nena" O'Neil \ Ñúñez`
		f.EmergencyContacts = append(f.EmergencyContacts, amparo.EmergencyContact{Name: `Luis "Lucho" {Ejemplo}`, Phone: "+1 213 555 0100"})
	}
	if r.IntN(3) == 0 {
		f.IntakeDate = amparo.Date{Time: now.AddDate(0, 0, -r.IntN(300)).Truncate(24 * time.Hour)}
	}
	if r.IntN(7) == 0 {
		f.Address.City = `Los "Ángeles" \ Este` // escaped: left to json.Unmarshal
	}
	return f
}

func TestDecodeRankingFacts_AsJSONUnmarshal(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(4, 4))
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2000 {
		b, err := json.Marshal(randomFacts(r, now))
		if err != nil {
			t.Fatal(err)
		}
		var got, want rankingFacts
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if err := decodeRankingFacts(b, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("record %d: %+v (%v), want %+v\n%s", i, got, err, want, b)
		}
		if want.Language == "" || want.Situation == "" {
			t.Fatalf("record %d read nothing: %s", i, b)
		}
	}
	// Text json.Marshal does not make: other cases, spaces, nulls.
	for _, b := range []string{`{"language":"es","detained":true}`, ` { "Language" : "es" , "Address" : null , "Detained" : null } `,
		`{"Address":{"City":"Pacoima","Extra":[1,{"a":"}"}]},"Situation":"tps"}`, `[]`, `{"Language":"es"`, `{}`} {
		var got, want rankingFacts
		wantErr := json.Unmarshal([]byte(b), &want)
		gotErr := decodeRankingFacts([]byte(b), &got)
		if wantErr == nil && (gotErr != nil || !reflect.DeepEqual(got, want)) {
			t.Errorf("%s: %+v (%v), want %+v (%v)", b, got, gotErr, want, wantErr)
		}
	}
}

func FuzzDecodeRankingFacts(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 5))
	for range 5 {
		b, _ := json.Marshal(randomFacts(r, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)))
		f.Add(b)
	}
	f.Add([]byte("{\"Language\":\"\x82\"}")) // json.Unmarshal reads invalid UTF-8 as U+FFFD
	f.Fuzz(func(t *testing.T, b []byte) {
		var got, want rankingFacts
		wantErr := json.Unmarshal(b, &want)
		gotErr := decodeRankingFacts(b, &got)
		// What json.Unmarshal reads, it reads alike; it need not refuse
		// all json.Unmarshal refuses (records are authenticated, and made
		// by json.Marshal).
		if wantErr == nil && (gotErr != nil || !reflect.DeepEqual(got, want)) {
			t.Fatalf("%q: %+v (%v), want %+v (%v)", b, got, gotErr, want, wantErr)
		}
	})
}

func BenchmarkDecodeRankingFacts(b *testing.B) {
	plain, _ := json.Marshal(randomFacts(rand.New(rand.NewPCG(6, 6)), time.Now()))
	b.Run("one-pass", func(b *testing.B) {
		for b.Loop() {
			var f rankingFacts
			decodeRankingFacts(plain, &f)
		}
	})
	b.Run("json.Unmarshal", func(b *testing.B) {
		for b.Loop() {
			var f rankingFacts
			json.Unmarshal(plain, &f)
		}
	})
}
