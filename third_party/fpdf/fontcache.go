package fpdf

// Amparo's patch: parsing a UTF-8 TrueType font and hashing its definition
// cost most of the time of a small document. A parsed font is kept here,
// keyed by the font's key and bytes, and each document gets a copy whose
// per-document state (the runes it uses, the file reader that subsetting
// moves through) is its own. Subsetting (GenerateCutFont) reassigns every
// table it fills before writing to it, so the parsed tables the copies
// share are only read.

import (
	"crypto/sha256"
	"sync"
)

type utf8FontKey struct {
	fontkey string
	sum     [32]byte
}

var utf8FontCache sync.Map // utf8FontKey -> fontDefType

func cachedUTF8Font(fontkey string, utf8Bytes []byte, noAlias bool) (fontDefType, bool) {
	v, ok := utf8FontCache.Load(utf8FontKey{fontkey, sha256.Sum256(utf8Bytes)})
	if !ok {
		return fontDefType{}, false
	}
	def := v.(fontDefType)
	file := *def.utf8File
	file.fileReader = &fileReader{readerPosition: 0, array: utf8Bytes}
	def.utf8File = &file
	if noAlias {
		def.usedRunes = makeSubsetRange(57)
	} else {
		def.usedRunes = makeSubsetRange(32)
	}
	return def, true
}

func storeUTF8Font(fontkey string, utf8Bytes []byte, def fontDefType) {
	file := *def.utf8File
	def.utf8File = &file
	def.usedRunes = nil
	utf8FontCache.Store(utf8FontKey{fontkey, sha256.Sum256(utf8Bytes)}, def)
}
