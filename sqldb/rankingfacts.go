package sqldb

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// errUnexpected makes decodeRankingFacts leave a record to json.Unmarshal.
var errUnexpected = errors.New("unexpected JSON")

// decodeRankingFacts reads the fields of rankingFacts from the JSON of an
// applicant's facts in one pass, skipping the rest. json.Unmarshal reads
// a record twice (it checks the whole text, then decodes it) and is most
// of the cost of ranking a line of 20,000; this reads it once. What
// json.Unmarshal reads, it reads alike: anything it does not expect (an
// escaped string among the fields it keeps, a key in another case) it
// leaves to json.Unmarshal. It does not check all that json.Unmarshal
// would refuse: the records are authenticated, and json.Marshal made them.
func decodeRankingFacts(b []byte, f *rankingFacts) error {
	var g rankingFacts
	if err := (&factsReader{b: b}).read(&g); err != nil {
		return json.Unmarshal(b, f)
	}
	*f = g
	return nil
}

type factsReader struct {
	b []byte
	i int
}

func (r *factsReader) read(f *rankingFacts) error {
	return r.object(func(key []byte) error {
		switch string(key) {
		case "Language":
			return r.str(&f.Language)
		case "CountryOfBirth":
			return r.str(&f.CountryOfBirth)
		case "Situation":
			return r.str(&f.Situation)
		case "TPSCountry":
			return r.str(&f.TPSCountry)
		case "FacingRemoval":
			return r.boolean(&f.FacingRemoval)
		case "Detained":
			return r.boolean(&f.Detained)
		case "InterpreterOK":
			return r.boolean(&f.InterpreterOK)
		case "UnaccompaniedMinor":
			return r.boolean(&f.UnaccompaniedMinor)
		case "Unhoused":
			return r.boolean(&f.Unhoused)
		case "Survivor":
			return r.boolean(&f.Survivor)
		case "NextHearing", "IntakeDate":
			start := r.i
			if err := r.skip(); err != nil {
				return err
			}
			d := &f.NextHearing
			if string(key) == "IntakeDate" {
				d = &f.IntakeDate
			}
			return json.Unmarshal(r.b[start:r.i], d)
		case "Address":
			if r.peek() == 'n' {
				return r.skip() // null
			}
			return r.object(func(key []byte) error {
				if string(key) == "City" {
					return r.str(&f.Address.City)
				}
				return r.skip()
			})
		}
		// json.Unmarshal matches keys regardless of case.
		for _, k := range rankingKeys {
			if bytes.EqualFold(key, []byte(k)) {
				return errUnexpected
			}
		}
		return r.skip()
	})
}

// rankingKeys are the keys read rankingFacts reads.
var rankingKeys = []string{"Language", "CountryOfBirth", "Situation", "TPSCountry", "FacingRemoval", "Detained", "InterpreterOK",
	"UnaccompaniedMinor", "Unhoused", "Survivor", "NextHearing", "IntakeDate", "Address"}

func (r *factsReader) space() {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\t' || r.b[r.i] == '\n' || r.b[r.i] == '\r') {
		r.i++
	}
}

func (r *factsReader) peek() byte {
	r.space()
	if r.i >= len(r.b) {
		return 0
	}
	return r.b[r.i]
}

func (r *factsReader) want(c byte) error {
	if r.peek() != c {
		return errUnexpected
	}
	r.i++
	return nil
}

// object reads an object, calling field for each key with the reader at
// its value, which field must read.
func (r *factsReader) object(field func(key []byte) error) error {
	if err := r.want('{'); err != nil {
		return err
	}
	if r.peek() == '}' {
		r.i++
		return nil
	}
	for {
		key, err := r.plain()
		if err != nil {
			return err
		}
		if err := r.want(':'); err != nil {
			return err
		}
		if err := field(key); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return nil
		default:
			return errUnexpected
		}
	}
}

// plain reads a string without escapes, in valid UTF-8 (json.Unmarshal
// replaces invalid bytes, which is left to it).
func (r *factsReader) plain() ([]byte, error) {
	if err := r.want('"'); err != nil {
		return nil, err
	}
	end := bytes.IndexByte(r.b[r.i:], '"')
	if end < 0 {
		return nil, errUnexpected
	}
	s := r.b[r.i : r.i+end]
	if bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s) {
		return nil, errUnexpected
	}
	r.i += end + 1
	return s, nil
}

func (r *factsReader) str(dst *string) error {
	if r.peek() == 'n' {
		return r.skip() // null leaves it as it is, as json.Unmarshal does
	}
	s, err := r.plain()
	if err != nil {
		return err
	}
	*dst = string(s)
	return nil
}

func (r *factsReader) boolean(dst *bool) error {
	switch {
	case bytes.HasPrefix(r.b[r.i:], []byte("true")):
		*dst, r.i = true, r.i+4
	case bytes.HasPrefix(r.b[r.i:], []byte("false")):
		*dst, r.i = false, r.i+5
	case bytes.HasPrefix(r.b[r.i:], []byte("null")):
		r.i += 4
	default:
		return errUnexpected
	}
	return nil
}

// skip passes over one value of any kind.
func (r *factsReader) skip() error {
	depth := 0
	for {
		switch c := r.peek(); c {
		case 0:
			return errUnexpected
		case '"':
			r.i++
			for {
				if r.i >= len(r.b) {
					return errUnexpected
				}
				if c := r.b[r.i]; c == '\\' {
					r.i += 2
					continue
				} else if c == '"' {
					r.i++
					break
				}
				r.i++
			}
		case '{', '[':
			depth++
			r.i++
			continue
		case '}', ']':
			if depth == 0 {
				return errUnexpected
			}
			depth--
			r.i++
		case ',', ':':
			if depth == 0 {
				return errUnexpected
			}
			r.i++
			continue
		default: // a number, true, false or null
			start := r.i
			for r.i < len(r.b) && !bytes.ContainsRune([]byte(",}] \t\n\r:"), rune(r.b[r.i])) {
				r.i++
			}
			if r.i == start {
				return errUnexpected
			}
		}
		if depth == 0 {
			return nil
		}
	}
}
