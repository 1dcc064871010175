package fleetbench

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// The benchmark's own queries carry this marker, so the statement counts leave them out.
const ownQuery = "/* fleetbench */ "

// statementCounts are pg_stat_statements calls per database since the last reset, all
// statements (transaction control included) and the data statements alone.
type statementCounts struct {
	all, data map[string]int64
}

func enableStatements(ctx context.Context, db *pgxpool.Pool) error {
	if _, err := db.Exec(ctx, ownQuery+`create extension if not exists pg_stat_statements`); err != nil {
		return fmt.Errorf("pg_stat_statements (the stack's PostgreSQL needs shared_preload_libraries=pg_stat_statements; run make stack-down stack-up): %w", err)
	}
	return resetStatements(ctx, db)
}

func resetStatements(ctx context.Context, db *pgxpool.Pool) error {
	_, err := db.Exec(ctx, ownQuery+`select pg_stat_statements_reset()`)
	return err
}

func readStatements(ctx context.Context, db *pgxpool.Pool) (statementCounts, error) {
	c := statementCounts{all: map[string]int64{}, data: map[string]int64{}}
	rows, err := db.Query(ctx, ownQuery+`select d.datname, sum(s.calls)::bigint,
		coalesce(sum(s.calls) filter (where s.query !~* '^\s*(begin|commit|rollback|start transaction)'), 0)::bigint
		from pg_stat_statements s join pg_database d on d.oid = s.dbid
		where s.query not like '%fleetbench%' group by d.datname`)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var all, data int64
		if err := rows.Scan(&name, &all, &data); err != nil {
			return c, err
		}
		c.all[name], c.data[name] = all, data
	}
	return c, rows.Err()
}

// topStatements are the n statements called most often in a database, shortened to one line.
func topStatements(ctx context.Context, db *pgxpool.Pool, database string, n int) ([]string, error) {
	rows, err := db.Query(ctx, ownQuery+`select s.calls, s.query from pg_stat_statements s join pg_database d on d.oid = s.dbid
		where d.datname = $1 and s.query not like '%fleetbench%' order by s.calls desc limit $2`, database, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var calls int64
		var q string
		if err := rows.Scan(&calls, &q); err != nil {
			return nil, err
		}
		q = strings.Join(strings.Fields(q), " ")
		if len(q) > 110 {
			q = q[:110] + "…"
		}
		out = append(out, fmt.Sprintf("%7d  %s", calls, q))
	}
	return out, rows.Err()
}
