# orderfleet's own BPMN engine (cmd/engine), built from this repo, on its own database in the
# stack's PostgreSQL. It serves the Zeebe gateway protocol, REST v2 and its read API, and its
# clock is controllable (--clock-controlled) so timer tests need no real wait.
ENGINE_DATABASE=engine

# engine_port lists the engine's three ports; `up` checks each is free before starting it.
engine_port() { echo "$ZEEBE_GRPC_PORT,$ENGINE_HTTP_PORT,$ENGINE_MGMT_PORT"; }
engine_url() {
  echo "grpc 127.0.0.1:$ZEEBE_GRPC_PORT, read API http://127.0.0.1:$ENGINE_HTTP_PORT/v2, management http://127.0.0.1:$ENGINE_MGMT_PORT"
}
engine_healthy() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$ENGINE_MGMT_PORT/readyz" 2>/dev/null)" = 200 ]
}

engine_database_url() {
  echo "postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$ENGINE_DATABASE?sslmode=disable"
}

# engine_build compiles bin/engine unless it is newer than every Go source it is built from
# (its own packages, go.mod and go.sum), so a second `stack up` does not wait for the compiler.
engine_build() {
  local bin=$REPO_ROOT/bin/engine newer
  if [ -x "$bin" ]; then
    newer=$(find "$REPO_ROOT/cmd/engine" "$REPO_ROOT/internal/engine" "$REPO_ROOT/go.mod" "$REPO_ROOT/go.sum" \
      -newer "$bin" -type f -print -quit 2>/dev/null || true)
    [ -z "$newer" ] && return 0
  fi
  command -v go >/dev/null || die "the engine is built from source and needs Go on PATH"
  [ -d "$REPO_ROOT/cmd/engine" ] || die "no cmd/engine in $REPO_ROOT; the engine is built from this repo"
  say "building bin/engine"
  mkdir -p "$REPO_ROOT/bin"
  (cd "$REPO_ROOT" && go build -o bin/engine ./cmd/engine) >"$LOG_DIR/engine-build.log" 2>&1 ||
    die "building the engine failed; see $LOG_DIR/engine-build.log
$(tail -n 20 "$LOG_DIR/engine-build.log")"
}

# engine_database creates the engine's database once; the engine migrates it itself at start.
engine_database() {
  port_open "$PG_PORT" || die "the engine needs PostgreSQL on $PG_PORT; start it first (stack.sh up postgres)"
  if ! PGPASSWORD=$PG_PASSWORD "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -Atqc \
      "select 1 from pg_database where datname = '$ENGINE_DATABASE'" | grep -q 1; then
    say "creating database $ENGINE_DATABASE"
    PGPASSWORD=$PG_PASSWORD "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$ENGINE_DATABASE"
  fi
}

engine_start() {
  engine_build
  engine_database
  start_background engine env ENGINE_LOG_LEVEL="${ORDERFLEET_ENGINE_LOG_LEVEL:-info}" \
    "$REPO_ROOT/bin/engine" --database-url "$(engine_database_url)" \
    --grpc-addr "127.0.0.1:$ZEEBE_GRPC_PORT" \
    --http-addr "127.0.0.1:$ENGINE_HTTP_PORT" \
    --management-addr "127.0.0.1:$ENGINE_MGMT_PORT" \
    --clock-controlled="${ORDERFLEET_ENGINE_CLOCK_CONTROLLED:-true}"
  wait_until engine 60 engine_healthy
}
