package fpdf

// Amparo's patch: parsing a UTF-8 TrueType font and hashing its definition
// cost most of the time of a small document. A parsed font is kept here,
// keyed by the font's key and bytes, and each document gets a copy whose
// per-document state (the runes it uses, the file reader that subsetting
// moves through) is its own. Subsetting (GenerateCutFont) reassigns every
// table it fills before writing to it, so the parsed tables the copies
// share are only read.
//
// The subset a document embeds is kept too, keyed by its exact set of
// runes: documents that use the same characters (IncludeRunes helps them
// to) share one subset, made and compressed once.

import (
	"bytes"
	"compress/zlib"
	"container/list"
	"fmt"
	"sort"
	"sync"
)

// utf8FontKey finds the fonts that may be the same: the bytes themselves
// are then compared, which costs nothing when they are the same slice
// (an embedded font) and little when they are a copy. A checksum of the
// whole font, as before, cost more than the rest of a small document.
type utf8FontKey struct {
	fontkey string
	size    int
}

type utf8FontEntry struct {
	bytes []byte
	def   fontDefType
}

var utf8FontCache struct {
	sync.Mutex
	fonts map[utf8FontKey][]*utf8FontEntry
}

func cachedUTF8Font(fontkey string, utf8Bytes []byte, noAlias bool) (fontDefType, bool) {
	utf8FontCache.Lock()
	var def *fontDefType
	for _, e := range utf8FontCache.fonts[utf8FontKey{fontkey, len(utf8Bytes)}] {
		if bytes.Equal(e.bytes, utf8Bytes) {
			def = &e.def
			break
		}
	}
	utf8FontCache.Unlock()
	if def == nil {
		return fontDefType{}, false
	}
	d := *def
	file := *d.utf8File
	file.fileReader = &fileReader{readerPosition: 0, array: utf8Bytes}
	d.utf8File = &file
	if noAlias {
		d.usedRunes = makeSubsetRange(57)
	} else {
		d.usedRunes = makeSubsetRange(32)
	}
	return d, true
}

func storeUTF8Font(fontkey string, utf8Bytes []byte, def fontDefType) {
	file := *def.utf8File
	def.utf8File = &file
	def.usedRunes = nil
	def.subsets = &subsetCache{}
	k := utf8FontKey{fontkey, len(utf8Bytes)}
	utf8FontCache.Lock()
	defer utf8FontCache.Unlock()
	if utf8FontCache.fonts == nil {
		utf8FontCache.fonts = map[utf8FontKey][]*utf8FontEntry{}
	}
	// The bytes are kept, not copied: like upstream, which reads them again
	// when it writes the document, the cache needs them to stay as they
	// are (an embedded font cannot change).
	utf8FontCache.fonts[k] = append(utf8FontCache.fonts[k], &utf8FontEntry{bytes: utf8Bytes, def: def})
}

// IncludeRunes adds the characters of s to the subset of the UTF-8 font
// familyStr and styleStr that the document embeds, whether or not text
// draws them. Documents that include a common set of characters, and
// draw none outside it, share one subset, made once per process.
// (Amparo)
func (f *Fpdf) IncludeRunes(familyStr, styleStr, s string) {
	font, ok := f.fonts[getFontKey(fontFamilyEscape(familyStr), styleStr)]
	if !ok || font.usedRunes == nil {
		return
	}
	for _, r := range s {
		font.usedRunes[int(r)] = int(r)
	}
}

// utf8Subset is what a PDF holds of a UTF-8 font that depends on the runes
// it uses: the CIDFont's widths, the CIDToGIDMap and the font file, both
// compressed.
type utf8Subset struct {
	widths   string
	cidToGID []byte
	file     []byte
	length1  int // the font file's size uncompressed
}

// subsetCache keeps a font's last subsets, by their runes.
type subsetCache struct {
	mu      sync.Mutex
	entries map[string]*list.Element // of *subsetEntry
	lru     list.List                // most recently used first
}

type subsetEntry struct {
	key string
	sub *utf8Subset
}

// subsetCacheSize bounds each font's cache: a subset is tens of kilobytes.
const subsetCacheSize = 64

// utf8Subset returns the font's subset for the runes the document uses.
func (f *Fpdf) utf8Subset(font *fontDefType) *utf8Subset {
	delete(font.usedRunes, 0)
	c := font.subsets
	if c == nil {
		return f.makeUTF8Subset(font)
	}
	key := runeSetKey(font.usedRunes)
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		c.lru.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*subsetEntry).sub
	}
	c.mu.Unlock()
	sub := f.makeUTF8Subset(font)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*list.Element{}
	}
	if _, ok := c.entries[key]; !ok {
		c.entries[key] = c.lru.PushFront(&subsetEntry{key, sub})
		if c.lru.Len() > subsetCacheSize {
			old := c.lru.Back()
			c.lru.Remove(old)
			delete(c.entries, old.Value.(*subsetEntry).key)
		}
	}
	return sub
}

// runeSetKey names the set of runes used, three bytes a rune, in order.
// The subset depends on nothing else: the keys of usedRunes below 57 that
// map to 0 are placeholders.
func runeSetKey(usedRunes map[int]int) string {
	rs := make([]int, 0, len(usedRunes))
	for _, r := range usedRunes {
		if r != 0 {
			rs = append(rs, r)
		}
	}
	sort.Ints(rs)
	b := make([]byte, 0, 3*len(rs))
	prev := -1
	for _, r := range rs {
		if r != prev {
			b = append(b, byte(r>>16), byte(r>>8), byte(r))
			prev = r
		}
	}
	return string(b)
}

// makeUTF8Subset is upstream's subsetting, moved from putfonts.
func (f *Fpdf) makeUTF8Subset(font *fontDefType) *utf8Subset {
	usedRunes := font.usedRunes
	delete(usedRunes, 0)
	utf8FontStream := font.utf8File.GenerateCutFont(usedRunes)
	CodeSignDictionary := font.utf8File.CodeSymbolDictionary
	delete(CodeSignDictionary, 0)
	sub := &utf8Subset{
		widths:  f.generateCIDFontMap(font, font.utf8File.LastRune),
		length1: len(utf8FontStream),
	}

	cidToGidMap := make([]byte, 256*256*2)
	for cc, glyph := range CodeSignDictionary {
		cidToGidMap[cc*2] = byte(glyph >> 8)
		cidToGidMap[cc*2+1] = byte(glyph & 0xFF)
	}
	mem := xmem.compress(cidToGidMap)
	sub.cidToGID = mem.copy()
	mem.release()
	sub.file = compressSubset(utf8FontStream)
	return sub
}

// compressSubset compresses a font file at zlib's default level, not at
// the best speed as other streams: a subset is compressed once for many
// documents, and comes out a third smaller.
func compressSubset(b []byte) []byte {
	var buf bytes.Buffer
	zw := subsetWriters.Get().(*zlib.Writer)
	defer subsetWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(b); err != nil {
		panic(fmt.Errorf("could not zlib-compress slice: %w", err))
	}
	if err := zw.Close(); err != nil {
		panic(fmt.Errorf("could not close zlib writer: %w", err))
	}
	return buf.Bytes()
}

var subsetWriters = sync.Pool{New: func() any { return zlib.NewWriter(nil) }}
