package correlation

import "testing"

func TestWithPoolSizeKeepsAnExplicitChoice(t *testing.T) {
	cases := map[string]string{
		"postgres://u:p@h:1/db?sslmode=disable":                  "postgres://u:p@h:1/db?pool_max_conns=36&sslmode=disable",
		"postgres://u:p@h:1/db?pool_max_conns=8&sslmode=disable": "postgres://u:p@h:1/db?pool_max_conns=8&sslmode=disable",
		"host=h user=u dbname=db":                                "host=h user=u dbname=db",
	}
	for in, want := range cases {
		if got := withPoolSize(in, 36); got != want {
			t.Errorf("withPoolSize(%q) = %q, want %q", in, got, want)
		}
	}
}
