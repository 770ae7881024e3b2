package auth

import (
	"encoding/base64"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Bounds on parameters read from a stored hash. A stored string is trusted no
// more than any other input: without bounds, one edited row asking for
// t = 4 billion would hold a hashing slot forever.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

var b64 = base64.RawStdEncoding.Strict()

const phcChars = "$,=+/0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// formatPHC returns $argon2id$v=19$m=M,t=T,p=P$salt$key with salt and key in
// unpadded standard base64, as the PHC string format specifies.
func formatPHC(p Params, salt, key []byte) string {
	return "$argon2id$v=" + strconv.Itoa(argon2.Version) +
		"$m=" + strconv.FormatUint(uint64(p.Memory), 10) +
		",t=" + strconv.FormatUint(uint64(p.Time), 10) +
		",p=" + strconv.FormatUint(uint64(p.Threads), 10) +
		"$" + b64.EncodeToString(salt) + "$" + b64.EncodeToString(key)
}

// parsePHC parses what formatPHC writes, strictly: argon2id only, version 19
// only, the three parameters in that order and in canonical decimal, and
// nothing else. The returned Params carry the salt and key lengths found.
func parsePHC(s string) (p Params, salt, key []byte, err error) {
	// The base64 decoder skips \r and \n; nothing but these bytes belongs here.
	if len(s) > 256 || strings.Trim(s, phcChars) != "" {
		return p, nil, nil, ErrMalformedHash
	}
	f := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(f) != 6 || f[0] != "" || f[1] != "argon2id" || f[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, ErrMalformedHash
	}
	kv := strings.Split(f[3], ",")
	if len(kv) != 3 {
		return p, nil, nil, ErrMalformedHash
	}
	m, ok1 := param(kv[0], "m=", maxMemory)
	t, ok2 := param(kv[1], "t=", maxTime)
	par, ok3 := param(kv[2], "p=", 255)
	if !ok1 || !ok2 || !ok3 || t < 1 || par < 1 || m < 8*par {
		return p, nil, nil, ErrMalformedHash
	}
	salt, err1 := b64.DecodeString(f[4])
	key, err2 := b64.DecodeString(f[5])
	if err1 != nil || err2 != nil ||
		len(salt) < minSaltLen || len(salt) > maxSaltLen || len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, nil, nil, ErrMalformedHash
	}
	p = Params{Memory: m, Time: t, Threads: uint8(par), SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}
	return p, salt, key, nil
}

// param parses "name=decimal" with no sign, no leading zero and value <= max.
func param(s, name string, max uint32) (uint32, bool) {
	v, ok := strings.CutPrefix(s, name)
	if !ok || v == "" || len(v) > 10 || (len(v) > 1 && v[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n > uint64(max) {
		return 0, false
	}
	return uint32(n), true
}
