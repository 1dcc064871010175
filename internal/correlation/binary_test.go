package correlation

import (
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

func TestDatabaseURLKeepsAnExplicitChoice(t *testing.T) {
	cases := map[string]string{
		"postgres://u:p@h:1/db?sslmode=disable":                                       "postgres://u:p@h:1/db?plan_cache_mode=force_generic_plan&pool_max_conns=36&sslmode=disable",
		"postgres://u:p@h:1/db?pool_max_conns=8&plan_cache_mode=auto&sslmode=disable": "postgres://u:p@h:1/db?plan_cache_mode=auto&pool_max_conns=8&sslmode=disable",
		"host=h user=u dbname=db":                                                     "host=h user=u dbname=db",
	}
	for in, want := range cases {
		if got := DatabaseURL(in, 32); got != want {
			t.Errorf("DatabaseURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// The plan cache mode must reach the server as a session setting, not stay a pool option.
func TestDatabaseURLSetsThePlanCacheModeOnEachSession(t *testing.T) {
	cfg, err := pgxpool.ParseConfig(DatabaseURL("postgres://u:p@h:1/db?sslmode=disable", 32))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; got != "force_generic_plan" {
		t.Errorf("session plan_cache_mode = %q, want force_generic_plan", got)
	}
	if cfg.MaxConns != 36 {
		t.Errorf("pool size %d, want 36", cfg.MaxConns)
	}
}
