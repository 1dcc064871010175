#!/usr/bin/env bash
# Installs what the local stack needs and is missing: Debian packages, the service user, and the
# Kafka jars from Maven Central. The engine is built from this repo by components/engine.sh.
# Safe to run again: it skips what is there.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return
  is_root || die "missing Debian packages: ${missing[*]} (run as root, or install them: sudo apt-get install -y ${missing[*]})"
  say "installing Debian packages: ${missing[*]}"
  if [ $APT_UPDATED -eq 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${APT_INSTALL_OPTIONS:-} "${missing[@]}" >/dev/null
}

# install_prometheus adds Debian's prometheus for the optional component; the recommended
# node exporter is left out, since the stack scrapes only the fleet and the engine.
install_prometheus() {
  APT_INSTALL_OPTIONS=--no-install-recommends apt_install prometheus
}

ensure_service_user() {
  is_root || return 0
  id "$SERVICE_USER" >/dev/null 2>&1 && return
  say "creating system user $SERVICE_USER (PostgreSQL refuses to run as root)"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SERVICE_USER"
}

install_kafka() {
  local libs=$DIST_DIR/kafka-$KAFKA_VERSION/libs
  [ -f "$libs/kafka_2.13-$KAFKA_VERSION.jar" ] && return
  say "fetching Kafka $KAFKA_VERSION jars"
  mkdir -p "$libs"
  (cd "$REPO_ROOT/deploy/local/maven/kafka" &&
    mvn -q -B dependency:copy-dependencies -DoutputDirectory="$libs" >>"$LOG_DIR/maven.log" 2>&1) || die "could not fetch Kafka jars"
}

install_all() {
  apt_install postgresql redis-server curl openjdk-17-jre-headless maven util-linux
  ensure_service_user
  mkdir -p "$DIST_DIR" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR"
  install_kafka
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  install_all
  # `install.sh prometheus` also installs the optional Prometheus.
  if [ "${1:-}" = prometheus ] || [ "${ORDERFLEET_PROMETHEUS:-0}" = 1 ]; then install_prometheus; fi
fi
