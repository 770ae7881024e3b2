package fund

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxCents bounds an amount: a billion dollars, far above any grant, and
// far below where sums of many amounts could overflow.
const MaxCents = 100_000_000_000

// ParseCents reads an amount of dollars, "1234", "1234.5", "1234.56",
// "1,234.56" or "$1,234.56", into integer cents. More than two decimals,
// a sign, a misplaced comma or anything else is an error: amounts are
// never rounded.
func ParseCents(s string) (int64, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "$")
	if t == "" {
		return 0, fmt.Errorf("no amount")
	}
	whole, frac, hasDot := strings.Cut(t, ".")
	if hasDot && (len(frac) == 0 || len(frac) > 2) {
		if len(frac) > 2 {
			return 0, fmt.Errorf("%q has more than two decimals", s)
		}
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			return 0, fmt.Errorf("%q is not an amount", s)
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, fmt.Errorf("%q is not an amount", s)
			}
		}
		whole = strings.Join(groups, "")
	}
	if whole == "" || !digits(whole) || (hasDot && !digits(frac)) || len(whole) > 12 {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	var c int64
	if hasDot {
		c, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			c *= 10
		}
	}
	v := w*100 + c
	if v > MaxCents {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return v, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// FormatCents writes cents as dollars with two decimals and thousands
// separators: 123456 is "1,234.56"; negative amounts start with "-".
func FormatCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	w := strconv.FormatInt(c/100, 10)
	var b strings.Builder
	for i, r := range w {
		if i > 0 && (len(w)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s%s.%02d", sign, b.String(), c%100)
}

// ParseHours reads hours with at most two decimals ("1.5", "0.25") into
// hundredths of an hour.
func ParseHours(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "$") || strings.Contains(t, ",") {
		return 0, fmt.Errorf("%q is not a number of hours", s)
	}
	c, err := ParseCents(t)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number of hours with at most two decimals", s)
	}
	if c > 24*100*366 {
		return 0, fmt.Errorf("%q is too many hours", s)
	}
	return c, nil
}

// TimeCost is the cost of centihours at rate cents an hour, rounded half
// up to the cent.
func TimeCost(centihours, rateCents int64) int64 {
	return (centihours*rateCents + 50) / 100
}
