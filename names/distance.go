package names

// Distance is the optimal string alignment distance between two folded
// words (insertions, deletions, substitutions and swaps of adjacent letters
// each count one), or limit+1 when it is past limit. Words past 31 bytes
// are compared on their first 31. The company matcher (package screening)
// uses it, so that Amparo has one typo distance.
func Distance(a, b string, limit int) int { return osa(a, b, limit) }
