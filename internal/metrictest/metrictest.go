// Package metrictest reads metrics back from a Prometheus registry, for tests that assert what a
// component counted. Labels are given as name/value pairs; a series matches when it carries them all.
package metrictest

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// Sum adds up the counter and gauge values of the matching series of name; 0 when none matches.
func Sum(t testing.TB, g prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	total := 0.0
	for _, m := range series(t, g, name, labels) {
		total += m.value
	}
	return total
}

// Value is the counter or gauge value of the first matching series; the test fails when none does.
func Value(t testing.TB, g prometheus.Gatherer, name string, labels ...string) float64 {
	t.Helper()
	v, ok := Find(t, g, name, labels...)
	if !ok {
		t.Fatalf("no series %s%v", name, labels)
	}
	return v
}

// Find is Value that reports a missing series instead of failing.
func Find(t testing.TB, g prometheus.Gatherer, name string, labels ...string) (float64, bool) {
	t.Helper()
	found := series(t, g, name, labels)
	if len(found) == 0 {
		return 0, false
	}
	return found[0].value, true
}

// Count is how many matching series name has.
func Count(t testing.TB, g prometheus.Gatherer, name string, labels ...string) int {
	t.Helper()
	return len(series(t, g, name, labels))
}

// Histogram is the observation count and sum of the first matching series; zero when none matches.
func Histogram(t testing.TB, g prometheus.Gatherer, name string, labels ...string) (uint64, float64) {
	t.Helper()
	found := series(t, g, name, labels)
	if len(found) == 0 {
		return 0, 0
	}
	return found[0].count, found[0].sum
}

type sample struct {
	value float64 // counter or gauge
	count uint64  // histogram observations
	sum   float64 // histogram sum
}

func series(t testing.TB, g prometheus.Gatherer, name string, labels []string) []sample {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var out []sample
	for _, fam := range families {
		if fam.GetName() != name {
			continue
		}
	next:
		for _, m := range fam.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(labels); i += 2 {
				if v, ok := have[labels[i]]; !ok || v != labels[i+1] {
					continue next
				}
			}
			out = append(out, sample{
				value: m.GetCounter().GetValue() + m.GetGauge().GetValue(),
				count: m.GetHistogram().GetSampleCount(), sum: m.GetHistogram().GetSampleSum(),
			})
		}
	}
	return out
}
