package deploy

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

var (
	promqlString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
	promqlMatchers = regexp.MustCompile(`\{[^{}]*\}`)
	promqlRange    = regexp.MustCompile(`\[[^\[\]]*\]`)
	// by (...), without (...), on (...), ignoring (...), group_left (...) and group_right (...) list labels.
	promqlGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)`)
	promqlVariable = regexp.MustCompile(`\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*`)
	promqlIdent    = regexp.MustCompile(`[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?`)
)

// promqlKeywords are identifiers that are neither metrics nor function calls.
var promqlKeywords = []string{"and", "or", "unless", "offset", "bool", "inf", "nan", "by", "without", "on", "ignoring",
	"group_left", "group_right", "atan2"}

// metricNames returns the metric names a PromQL expression selects. It is a small lexer, not a
// parser: it drops strings, label matchers, ranges, grouping clauses and template variables, and
// keeps the identifiers that are not function calls or keywords. label_values(metric, label) in a
// Grafana variable query yields its metric.
func metricNames(expr string) []string {
	if m := regexp.MustCompile(`^\s*label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,`).FindStringSubmatch(expr); m != nil {
		return []string{m[1]}
	}
	s := promqlString.ReplaceAllString(expr, " ")
	s = promqlVariable.ReplaceAllString(s, " ")
	for prev := ""; prev != s; {
		prev = s
		s = promqlMatchers.ReplaceAllString(s, " ")
	}
	s = promqlRange.ReplaceAllString(s, " ")
	s = promqlGrouping.ReplaceAllString(s, " ")
	var out []string
	for _, m := range promqlIdent.FindAllStringSubmatchIndex(s, -1) {
		if m[2] >= 0 { // followed by "(": a function or aggregation
			continue
		}
		name := s[m[0]:m[1]]
		if slices.Contains(promqlKeywords, strings.ToLower(name)) {
			continue
		}
		// A number like 1e3 lexes as "e3" after "1": skip identifiers glued to a digit.
		if m[0] > 0 && s[m[0]-1] >= '0' && s[m[0]-1] <= '9' {
			continue
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func TestMetricNamesOfPromQL(t *testing.T) {
	cases := map[string][]string{
		`sum by (status) (orderfleet_orders)`: {"orderfleet_orders"},
		`histogram_quantile(0.95, sum by (le, job_type) (rate(orderfleet_worker_job_duration_seconds_bucket{job_type=~"a|b"}[5m])))`: {
			"orderfleet_worker_job_duration_seconds_bucket"},
		`sum(rate(a_total{result="started", x!~"y{1}"}[5m])) * 60 / ignoring (x) b_total offset 1h`: {"a_total", "b_total"},
		`sum(orderfleet_worker_jobs_in_flight{job_type=~"$job_type"}) > 1e3 and on (job) up_metric`: {"orderfleet_worker_jobs_in_flight", "up_metric"},
		`label_values(orderfleet_worker_jobs_activated_total, job_type)`:                            {"orderfleet_worker_jobs_activated_total"},
		`max(${metric_var}) or vector(0)`:                                                           nil,
	}
	for expr, want := range cases {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%q) = %v, want %v", expr, got, want)
		}
	}
}
