package report

import (
	"bufio"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
)

// Definition is one table of the report, as data: which metric it counts,
// by which dimensions, over which population, and what its percentages
// are shares of, said in words.
type Definition struct {
	Name   string // the table's name, e.g. "letters-issued"
	Metric amparo.ReportMetric
	Dims   []string
	// Population says in words whom the table counts ("letters issued
	// in the period").
	Population string
	// Denominator says in words what a percentage is a share of ("alerts
	// acknowledged"); empty when the table publishes counts only.
	Denominator string
	// PercentOf keeps these dimensions in the denominator: the share of
	// the row total for the row dimension; set only with Denominator.
	PercentOf []string
	// Pending names a category of the last dimension that is not an
	// outcome yet: it is published in a table of its own
	// (Name+"-pending"), never inside a denominator.
	Pending string
	// Collapsible names the dimensions the policy may collapse.
	Collapsible []string
	Cumulative  bool
	// Money is set for a metric that sums cents (MoneyMetrics): the
	// name of the count table, defined before, whose cells count the
	// cases the money was spent on (its cells are published only where
	// that table's are, in its suppression pattern), or "public" for
	// money that is about organizations, never people (grants awarded).
	Money string
	// Per publishes a cost per case: "case" divides each money cell by
	// its count cell; a category of the count table's last dimension
	// ("stayed") divides each row's total by that category's count.
	Per string
	// Unit says in words what Per is per ("per funded case").
	Unit string
	// Floors names the target of the sources' floors and ceilings that
	// this money table, by source and detention, is checked against
	// ("detained"): the release adds a compliance table.
	Floors string
	Line   int // where the table starts in the definitions' text
}

// MoneyMetrics are the metrics that sum money in integer cents.
var MoneyMetrics = []amparo.ReportMetric{amparo.MetricFundAwarded, amparo.MetricFundSpent, amparo.MetricFundClosedSpent}

// MoneyPublic is Definition.Money for money about organizations only.
const MoneyPublic = "public"

// Definitions is a report: its period grain and tables.
type Definitions struct {
	Grain  string // "quarter" or "month"
	Tables []Definition
}

//go:embed council.txt
var councilText string

// Council returns the council's report definitions (council.txt).
func Council() *Definitions {
	d, err := ParseDefinitions(councilText, nil)
	if err != nil {
		panic(err)
	}
	return d
}

// ParseDefinitions reads report definitions:
//
//	grain quarter
//	table letters-issued
//	  metric letters.issued
//	  by organization language
//	  population letters issued in the period
//	  collapse language
//
// and refuses, naming the line and the reason, a metric or a dimension
// that does not exist. extra makes the metrics of other sources (the
// fund's) known; it may be nil.
func ParseDefinitions(text string, extra amparo.ReportSource) (*Definitions, error) {
	d := &Definitions{}
	var cur *Definition
	bad := func(line int, key string, format string, args ...any) error {
		return amparo.Invalid(fmt.Sprintf("line %d", line), format, args...).Localize(key, append([]any{line}, args...)...)
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		if word != "grain" && word != "table" && cur == nil {
			return nil, bad(n, "report.err.def_outside", "%q outside a table", word)
		}
		switch word {
		case "grain":
			if rest != "quarter" && rest != "month" {
				return nil, bad(n, "report.err.def_grain", "the grain %q is not quarter or month", rest)
			}
			d.Grain = rest
		case "table":
			if rest == "" || strings.ContainsAny(rest, " \t") {
				return nil, bad(n, "report.err.def_name", "a table needs one word as its name")
			}
			if slices.ContainsFunc(d.Tables, func(t Definition) bool { return t.Name == rest }) {
				return nil, bad(n, "report.err.def_twice", "two tables named %q", rest)
			}
			d.Tables = append(d.Tables, Definition{Name: rest, Line: n})
			cur = &d.Tables[len(d.Tables)-1]
		case "metric":
			m := amparo.ReportMetric(rest)
			if _, ok := metricDims(m, extra); !ok {
				return nil, bad(n, "report.err.def_metric", "there is no metric %q", rest)
			}
			cur.Metric = m
		case "by":
			dims, _ := metricDims(cur.Metric, extra)
			if cur.Metric == "" {
				return nil, bad(n, "report.err.def_order", "%q before the metric", word)
			}
			for _, f := range strings.Fields(rest) {
				if !slices.Contains(dims, f) {
					return nil, bad(n, "report.err.def_dim", "the metric %s has no dimension %q (it has: %s)", cur.Metric, f, strings.Join(dims, ", "))
				}
				cur.Dims = append(cur.Dims, f)
			}
		case "population":
			cur.Population = rest
		case "denominator":
			cur.Denominator = rest
		case "percent":
			for _, f := range strings.Fields(rest) {
				if !slices.Contains(cur.Dims, f) {
					return nil, bad(n, "report.err.def_dim_table", "the table has no dimension %q", f)
				}
				cur.PercentOf = append(cur.PercentOf, f)
			}
			if rest == "" {
				cur.PercentOf = []string{}
			}
		case "pending":
			cur.Pending = rest
		case "collapse":
			for _, f := range strings.Fields(rest) {
				if !slices.Contains(cur.Dims, f) {
					return nil, bad(n, "report.err.def_dim_table", "the table has no dimension %q", f)
				}
				if _, ok := collapseRules[f]; !ok {
					return nil, bad(n, "report.err.def_collapse", "no collapse rule for dimension %q", f)
				}
				cur.Collapsible = append(cur.Collapsible, f)
			}
		case "cumulative":
			cur.Cumulative = true
		case "money":
			if rest != MoneyPublic && !slices.ContainsFunc(d.Tables[:len(d.Tables)-1], func(t Definition) bool {
				return t.Name == rest && t.Money == "" && slices.Equal(t.Dims, cur.Dims)
			}) {
				return nil, bad(n, "report.err.def_money", "the money table needs a count table defined before it with the same dimensions, or \"public\" (%q)", rest)
			}
			cur.Money = rest
		case "per":
			cur.Per = rest
		case "unit":
			cur.Unit = rest
		case "floors":
			if rest != "detained" || !slices.Equal(cur.Dims, []string{amparo.DimSource, amparo.DimDetention}) {
				return nil, bad(n, "report.err.def_floors", "floors are checked for \"detained\" on a money table by source and detention (%q)", rest)
			}
			cur.Floors = rest
		default:
			return nil, bad(n, "report.err.def_word", "unknown word %q", word)
		}
	}
	if d.Grain == "" {
		return nil, bad(1, "report.err.def_grain", "the grain %q is not quarter or month", "")
	}
	for _, t := range d.Tables {
		switch {
		case t.Metric == "" || len(t.Dims) == 0:
			return nil, bad(t.Line, "report.err.def_incomplete", "the table %q needs a metric and its dimensions", t.Name)
		case len(t.Dims) > 2:
			return nil, bad(t.Line, "report.err.def_dims", "the table %q has more than two dimensions: a public table stays readable with two", t.Name)
		case t.Population == "":
			return nil, bad(t.Line, "report.err.def_population", "the table %q must say in words whom it counts (population)", t.Name)
		case (t.PercentOf != nil) != (t.Denominator != ""):
			return nil, bad(t.Line, "report.err.def_denominator", "the table %q publishes percentages only with their denominator stated in words", t.Name)
		case slices.Contains(MoneyMetrics, t.Metric) != (t.Money != ""):
			return nil, bad(t.Line, "report.err.def_money_metric", "the table %q: a metric of money needs \"money\", and only it", t.Name)
		case t.Money != "" && (t.PercentOf != nil || t.Pending != "" || t.Cumulative || len(t.Collapsible) > 0):
			return nil, bad(t.Line, "report.err.def_money_metric", "the table %q: a metric of money needs \"money\", and only it", t.Name)
		case (t.Per != "") != (t.Unit != "") || (t.Per != "" && (t.Money == "" || t.Money == MoneyPublic)):
			return nil, bad(t.Line, "report.err.def_per", "the table %q: a cost per case needs its count table and its unit in words", t.Name)
		case t.Pending != "" && len(t.Dims) < 2:
			return nil, bad(t.Line, "report.err.def_pending", "the table %q shows pending apart: it needs an outcome dimension after the others", t.Name)
		case t.Pending != "" && t.Denominator != "" && slices.Contains(t.PercentOf, t.Dims[len(t.Dims)-1]):
			return nil, bad(t.Line, "report.err.def_pending", "the table %q shows pending apart: it needs an outcome dimension after the others", t.Name)
		}
	}
	return d, nil
}

func metricDims(m amparo.ReportMetric, extra amparo.ReportSource) ([]string, bool) {
	if dims, ok := amparo.ReportMetrics[m]; ok {
		return dims, true
	}
	if extra != nil {
		return extra.ReportDimensions(m)
	}
	return nil, false
}
