package priority

import (
	"strings"
	"sync"

	"github.com/amparo-project/amparo/locale"
)

// Message is a sentence or phrase in no language yet: the key of a message
// of the locale catalog and its arguments, which may be Messages or lists
// of them, so that each reader reads an explanation in theirs.
type Message struct {
	Key  string
	Args []any
}

func msg(key string, args ...any) Message { return Message{key, args} }

// list is phrases joined as a list: "a, b, c".
type list []any

// Text is m in lang, in the words of cat.
func (m Message) Text(cat *locale.Catalog, lang string) string {
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		switch a := a.(type) {
		case Message:
			args[i] = a.Text(cat, lang)
		case list:
			s := make([]string, len(a))
			for j, x := range a {
				s[j] = x.(Message).Text(cat, lang)
			}
			args[i] = strings.Join(s, cat.T(lang, "policy.list_separator"))
		default:
			args[i] = a
		}
	}
	return cat.T(lang, m.Key, args...)
}

// render is sentences in lang, one after another.
func render(cat *locale.Catalog, lang string, ms []Message) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = m.Text(cat, lang)
	}
	return strings.Join(s, " ")
}

// catalog is the embedded locale catalog, for String and Explain.
var catalog = sync.OnceValue(func() *locale.Catalog {
	c, err := locale.Load()
	if err != nil {
		panic("priority: the embedded catalog does not load: " + err.Error()) // a build defect, caught by every test
	}
	return c
})
