#!/usr/bin/env bash
# Starts and stops the orderfleet binaries on this machine, beside the local stack: one process per
# binary, logs in .stack/logs/fleet-<name>.log, pid files in .stack/run.
#
#   deploy/local/fleet.sh up       start every binary that is built and not running
#   deploy/local/fleet.sh down     stop exactly the processes this script started
#   deploy/local/fleet.sh status   one line per binary
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Every long-running binary of the fleet; fleetctl is a client and is not listed.
FLEET_BINARIES=(oms-api adapter-simulator outbox-relay correlation-router workflow-start-relay load-fulfillment-plan execute-task manual-task apply-timeout open-fallout compensation installed-base finalize reconciler)

up() {
  local name pid
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  # Variables already set in the environment win over the file's local defaults.
  while IFS='=' read -r key value; do
    case $key in ''|'#'*) continue ;; esac
    [ -n "${!key:-}" ] || export "$key=$value"
  done < "$REPO_ROOT/deploy/local/fleet.env"
  for name in "${FLEET_BINARIES[@]}"; do
    [ -x "$REPO_ROOT/bin/$name" ] || die "bin/$name is not built; run: make build"
    if pid=$(running_pid "fleet-$name"); then say "$name already running (pid $pid)"; continue; fi
    start_background "fleet-$name" "$REPO_ROOT/bin/$name"
    sleep 0.2
    running_pid "fleet-$name" >/dev/null || die "$name exited at start; see $LOG_DIR/fleet-$name.log
$(tail -n 5 "$LOG_DIR/fleet-$name.log")"
    say "$(printf '%-22s pid %-7s log %s' "$name" "$(running_pid "fleet-$name")" "$LOG_DIR/fleet-$name.log")"
  done
}

down() {
  local name pid i
  for name in "${FLEET_BINARIES[@]}"; do
    pid=$(running_pid "fleet-$name") || { rm -f "$(pid_file "fleet-$name")"; continue; }
    say "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 80); do [ -d "/proc/$pid" ] || break; sleep 0.5; done
    [ -d "/proc/$pid" ] && { say "$name did not drain in 40s; killing"; kill -KILL "$pid" 2>/dev/null || true; }
    rm -f "$(pid_file "fleet-$name")"
  done
}

status() {
  local name pid
  printf '%-22s %-8s %s\n' BINARY STATE PID
  for name in "${FLEET_BINARIES[@]}"; do
    if pid=$(running_pid "fleet-$name"); then printf '%-22s %-8s %s\n' "$name" running "$pid"
    else printf '%-22s %-8s %s\n' "$name" stopped -; fi
  done
}

case ${1:-status} in
  up) up ;;
  down) down ;;
  status) status ;;
  *) die "unknown command '${1}' (try: up, down, status)" ;;
esac
