// Package names compares personal names the way a reviewer checking for a
// conflict of interest would, with Spanish names in mind.
//
// It provides:
//
//   - Normalize, Words and Key: names folded to lower-case ASCII words (the
//     one fold of names in Amparo: search tokens and import keys use it), and a
//     Spanish-aware phonetic key per word (b/v, c/s/z, ll/y, j/x/g before e
//     and i, silent h, qu/k/c, ñ/ni, double letters), so that Jiménez and
//     Ximénez, Yolanda and Llolanda, Vásquez and Vázquez share a key.
//   - Parse: given names, surnames and particles (de, del, la, y, van...),
//     for "Given Surname Surname" and "SURNAME Surname, Given".
//   - Score: a score from 0 to 1, a Decision (match, possible, no match) and
//     the Reasons behind it, as locale catalog keys ("names.why.*") with
//     their arguments. A missing second surname
//     weighs little; a different first letter of a surname, or a different
//     date of birth, weighs a lot; the same date of birth and a shared
//     surname are always shown for review.
//   - Keys and QueryKeys: blocking keys that the caller hashes (an HMAC
//     under a key derived from the master key, in production), so that
//     names encrypted at rest can still be checked: a store keeps the
//     hashed keys beside each person's ID, and only the few people who
//     share one with a query need decrypting and scoring.
//
// The package is pure: it must never import a database or HTTP package, and
// it never logs or stores a name.
package names
