#!/usr/bin/env bash
# Shared helpers for the local stack scripts: paths, logging, pid files and health waits.
# Sourced by stack.sh and the component files; it defines functions and variables only.

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STACK_DIR=${ORDERFLEET_STACK_DIR:-$REPO_ROOT/.stack}
DIST_DIR=$STACK_DIR/dist
DATA_DIR=$STACK_DIR/data
LOG_DIR=$STACK_DIR/logs
RUN_DIR=$STACK_DIR/run

# Ports: loopback only, away from the usual defaults so a system PostgreSQL/Redis/Kafka does not collide.
PG_PORT=${ORDERFLEET_PG_PORT:-15432}
REDIS_PORT=${ORDERFLEET_REDIS_PORT:-16379}
KAFKA_PORT=${ORDERFLEET_KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${ORDERFLEET_KAFKA_CONTROLLER_PORT:-19093}
# The engine keeps Zeebe's well-known ports (gRPC 26500, REST 8080, management 9600), so the fleet's
# defaults and a real Camunda 8 need the same settings.
ZEEBE_GRPC_PORT=${ORDERFLEET_ZEEBE_GRPC_PORT:-26500}
ENGINE_HTTP_PORT=${ORDERFLEET_ENGINE_HTTP_PORT:-8080}
ENGINE_MGMT_PORT=${ORDERFLEET_ENGINE_MGMT_PORT:-9600}

KAFKA_VERSION=4.1.1

# PostgreSQL refuses to run as root; it runs as this system user when we are root.
SERVICE_USER=orderfleet

say() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# SERVICE_PREFIX runs a command as the unprivileged service user when we are root, else as ourselves.
# setpriv execs in place, so "$!" of a background call is the server's own pid.
SERVICE_PREFIX=()
if is_root; then
  SERVICE_PREFIX=(setpriv --reuid="$SERVICE_USER" --regid="$SERVICE_USER" --init-groups --reset-env --
    env PATH="$PATH" LANG=C.UTF-8)
fi

# owned_dir prints a directory the service user can write. Inside the repo when the user can reach it;
# otherwise (a repo under a private home, for example) a per-repo folder in /var/lib linked from .stack.
owned_dir() {
  local name=$1 inside=$DATA_DIR/$1
  if ! is_root; then mkdir -p "$inside"; echo "$inside"; return; fi
  if [ -L "$inside" ]; then readlink -f "$inside"; return; fi
  mkdir -p "$inside"; chown "$SERVICE_USER:$SERVICE_USER" "$inside"
  if setpriv --reuid="$SERVICE_USER" --regid="$SERVICE_USER" --init-groups -- test -w "$inside"; then
    echo "$inside"; return
  fi
  local outside
  outside=/var/lib/orderfleet/$(printf '%s' "$STACK_DIR" | sha256sum | cut -c1-12)/$name
  mkdir -p "$outside"; chown -R "$SERVICE_USER:$SERVICE_USER" "$(dirname "$outside")"
  rmdir "$inside"; ln -s "$outside" "$inside"
  echo "$outside"
}

pid_file() { echo "$RUN_DIR/$1.pid"; }

# process_start_ticks reads the kernel's start time of a pid, so a recycled pid is never mistaken for ours.
process_start_ticks() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null || true; }

record_pid() {
  local name=$1 pid=$2
  printf '%s %s %s\n' "$pid" "$(process_start_ticks "$pid")" "$(date +%s)" > "$(pid_file "$name")"
}

# running_pid prints the recorded pid of a component if that exact process is still alive.
running_pid() {
  local file pid ticks
  file=$(pid_file "$1")
  [ -f "$file" ] || return 1
  read -r pid ticks _ < "$file" || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  [ "$(process_start_ticks "$pid")" = "$ticks" ] || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_until polls a check function until it passes, the process dies, or the timeout expires.
wait_until() {
  local name=$1 timeout=$2 check=$3 start pid
  start=$(date +%s)
  while ! "$check" >/dev/null 2>&1; do
    pid=$(running_pid "$name") || die "$name exited while starting; see $LOG_DIR/$name.log (last lines below)
$(tail -n 20 "$LOG_DIR/$name.log" 2>/dev/null)"
    if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
      die "$name (pid $pid) not healthy after ${timeout}s; see $LOG_DIR/$name.log"
    fi
    sleep 0.5
  done
}

# start_background launches a server detached from our output pipes and records its pid.
start_background() {
  local name=$1; shift
  : > "$LOG_DIR/$name.log"
  nohup "$@" </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
  record_pid "$name" "$!"
}

# kafka_java is Debian's Java 17, the only JVM the stack runs.
kafka_java() {
  local home=/usr/lib/jvm/java-17-openjdk-amd64
  [ -x "$home/bin/java" ] || die "no Java 17 at $home (Debian package openjdk-17-jre-headless)"
  echo "$home/bin/java"
}
