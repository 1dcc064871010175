#!/usr/bin/env bash
# The orderfleet local stack without Docker: PostgreSQL, Redis, Kafka and orderfleet's own engine
# (built from cmd/engine), all on loopback, with data, logs and pid files under .stack/ in the repo.
#
#   deploy/local/stack.sh up [component...]     install what is missing, start what is not running
#   deploy/local/stack.sh down [component...]   stop exactly the processes this stack started
#   deploy/local/stack.sh status                one line per component: state, pid, port, URL
#   deploy/local/stack.sh env                   the environment the fleet and the tests use
# Optional: ORDERFLEET_PROMETHEUS=1 adds Debian's Prometheus on 127.0.0.1:19090 scraping the fleet.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$REPO_ROOT/deploy/local/install.sh"
for component_file in "$REPO_ROOT"/deploy/local/components/*.sh; do source "$component_file"; done

# Start order matters: the engine keeps its state in PostgreSQL. Prometheus is optional:
# `up` without names starts it only when ORDERFLEET_PROMETHEUS=1.
ALL_COMPONENTS=(postgres redis kafka engine prometheus)
OPTIONAL_COMPONENTS=(prometheus)

# default_components are what `up` starts when no component is named.
default_components() {
  local c
  for c in "${ALL_COMPONENTS[@]}"; do
    case " ${OPTIONAL_COMPONENTS[*]} " in
      *" $c "*) "${c}_enabled" || continue ;;
    esac
    echo "$c"
  done
}

# elapsed_seconds turns a `date +%s%N` stamp into seconds with one decimal, without bc.
elapsed_seconds() { local ms=$(( ($(date +%s%N) - $1) / 1000000 )); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

resident_mb() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }


up() {
  local components=("$@") c pid started port
  [ ${#components[@]} -gt 0 ] || mapfile -t components < <(default_components)
  install_all
  case " ${components[*]} " in *" prometheus "*) install_prometheus ;; esac
  for c in "${components[@]}"; do
    if pid=$(running_pid "$c") && "${c}_healthy"; then
      say "$c already running (pid $pid)"
      continue
    fi
    running_pid "$c" >/dev/null && stop_component "$c"
    for port in $("${c}_port" | tr , ' '); do
      if port_open "$port"; then
        die "port $port for $c is taken by a process this stack did not start; stop it or set ORDERFLEET_*_PORT"
      fi
    done
    say "starting $c ..."
    started=$(date +%s%N)
    "${c}_start"
    say "$(printf '%-10s ready in %5ss  pid %-7s %s' "$c" "$(elapsed_seconds "$started")" \
      "$(running_pid "$c")" "$("${c}_url")")"
  done
  write_env
  say "stack is up; stop it with: make stack-down"
}

stop_component() {
  local c=$1 pid i
  pid=$(running_pid "$c") || { rm -f "$(pid_file "$c")"; return 0; }
  say "stopping $c (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 60); do
    [ -d "/proc/$pid" ] || break
    sleep 0.5
  done
  if [ -d "/proc/$pid" ]; then
    say "$c did not stop in 30s; killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$c")"
}

down() {
  local components=("$@") i
  [ ${#components[@]} -gt 0 ] || components=("${ALL_COMPONENTS[@]}")
  # Reverse order: the engine stops before PostgreSQL, so it finishes its commands first.
  for (( i=${#components[@]}-1; i>=0; i-- )); do stop_component "${components[$i]}"; done
}

status() {
  local c pid state rss
  printf '%-10s %-8s %-8s %-18s %-7s %s\n' COMPONENT STATE PID PORT RSS_MB URL
  for c in "${ALL_COMPONENTS[@]}"; do
    if pid=$(running_pid "$c"); then
      if "${c}_healthy"; then state=healthy; else state=starting; fi
      rss=$(resident_mb "$pid")
    else
      state=stopped; pid=-; rss=-
    fi
    printf '%-10s %-8s %-8s %-18s %-7s %s\n' "$c" "$state" "$pid" "$("${c}_port")" "$rss" "$("${c}_url")"
  done
  echo "logs: $LOG_DIR   data: $DATA_DIR"
}

env_lines() {
  cat <<ENV
ORDERFLEET_DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DATABASE?sslmode=disable
ORDERFLEET_TEST_DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres?sslmode=disable
ENGINE_TEST_DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres?sslmode=disable
ORDERFLEET_REDIS_ADDR=127.0.0.1:$REDIS_PORT
ORDERFLEET_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
ORDERFLEET_ZEEBE_ADDRESS=127.0.0.1:$ZEEBE_GRPC_PORT
ORDERFLEET_ZEEBE_REST_URL=http://127.0.0.1:$ENGINE_HTTP_PORT
ORDERFLEET_ZEEBE_MANAGEMENT_URL=http://127.0.0.1:$ENGINE_MGMT_PORT
ORDERFLEET_ENGINE_API_URL=http://127.0.0.1:$ENGINE_HTTP_PORT
ENV
}

write_env() { env_lines > "$STACK_DIR/env"; }

cmd=${1:-status}; shift || true
case $cmd in
  up) up "$@" ;;
  down) down "$@" ;;
  status) status ;;
  env) env_lines ;;
  install) install_all ;;
  -h|--help|help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$cmd' (try: up, down, status, env, install)" ;;
esac
