# PostgreSQL from Debian's packages, in a private cluster owned by the stack.
PG_BIN=${ORDERFLEET_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PG_USER=orderfleet
PG_PASSWORD=${ORDERFLEET_PG_PASSWORD:-orderfleet}
PG_DATABASE=orderfleet

postgres_port() { echo "$PG_PORT"; }
postgres_url() { echo "postgres://$PG_USER:****@127.0.0.1:$PG_PORT/$PG_DATABASE"; }
postgres_healthy() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres -U "$PG_USER"; }

postgres_start() {
  local home data sock
  home=$(owned_dir postgres); data=$home/pgdata; sock=$home/socket
  if [ ! -f "$data/PG_VERSION" ]; then
    say "initialising PostgreSQL cluster in $data"
    "${SERVICE_PREFIX[@]}" mkdir -p "$sock"
    local pwfile; pwfile=$(mktemp); printf '%s\n' "$PG_PASSWORD" > "$pwfile"; chmod 644 "$pwfile"
    "${SERVICE_PREFIX[@]}" "$PG_BIN/initdb" -D "$data" -U "$PG_USER" --pwfile="$pwfile" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$LOG_DIR/postgres-initdb.log" 2>&1 ||
      { rm -f "$pwfile"; die "initdb failed; see $LOG_DIR/postgres-initdb.log"; }
    rm -f "$pwfile"
  fi
  # pg_stat_statements counts the statements per task for `make bench` (the extension is created there).
  start_background postgres "${SERVICE_PREFIX[@]}" "$PG_BIN/postgres" -D "$data" -p "$PG_PORT" -k "$sock" \
    -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB -c fsync=on \
    -c shared_preload_libraries=pg_stat_statements
  wait_until postgres 60 postgres_healthy
  # The application database is created once; later starts reuse it.
  if ! PGPASSWORD=$PG_PASSWORD "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc \
      "select 1 from pg_database where datname = '$PG_DATABASE'" | grep -q 1; then
    PGPASSWORD=$PG_PASSWORD "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DATABASE"
  fi
}
