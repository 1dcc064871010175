#!/usr/bin/env bash
# Installs what the local stack needs and is missing: Debian packages, the service user, and the
# Camunda / OpenSearch / Kafka distributions from Maven Central. Safe to run again: it skips what is there.
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
# node exporter is left out, since the stack scrapes only the fleet and Camunda.
install_prometheus() {
  APT_INSTALL_OPTIONS=--no-install-recommends apt_install prometheus
}

ensure_service_user() {
  is_root || return 0
  id "$SERVICE_USER" >/dev/null 2>&1 && return
  say "creating system user $SERVICE_USER (PostgreSQL and OpenSearch refuse to run as root)"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$SERVICE_USER"
}

# mvn_fetch copies one artifact from Maven Central (through the local ~/.m2 cache) into a folder.
mvn_fetch() {
  local artifact=$1 out=$2
  mvn -q -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$out" >>"$LOG_DIR/maven.log" 2>&1 ||
    die "could not fetch $artifact from Maven Central"
}

install_camunda() {
  local home=$DIST_DIR/camunda-zeebe-$CAMUNDA_VERSION
  [ -x "$home/bin/camunda" ] && return
  say "fetching Camunda $CAMUNDA_VERSION (about 300 MB, cached in ~/.m2 after the first time)"
  mkdir -p "$DIST_DIR/downloads"
  mvn_fetch "io.camunda:camunda-zeebe:$CAMUNDA_VERSION:tar.gz" "$DIST_DIR/downloads"
  tar xzf "$DIST_DIR/downloads/camunda-zeebe-$CAMUNDA_VERSION.tar.gz" -C "$DIST_DIR"
  rm -f "$DIST_DIR/downloads/camunda-zeebe-$CAMUNDA_VERSION.tar.gz"
}

install_kafka() {
  local libs=$DIST_DIR/kafka-$KAFKA_VERSION/libs
  [ -f "$libs/kafka_2.13-$KAFKA_VERSION.jar" ] && return
  say "fetching Kafka $KAFKA_VERSION jars"
  mkdir -p "$libs"
  (cd "$REPO_ROOT/deploy/local/maven/kafka" &&
    mvn -q -B dependency:copy-dependencies -DoutputDirectory="$libs" >>"$LOG_DIR/maven.log" 2>&1) || die "could not fetch Kafka jars"
}

# install_opensearch unpacks the minimal distribution and builds the module folders Operate needs
# from plain jars, as described in deploy/local/opensearch-modules.tsv.
install_opensearch() {
  local home=$DIST_DIR/opensearch-$OPENSEARCH_VERSION
  if [ ! -f "$home/.modules-ready" ]; then
    say "fetching OpenSearch $OPENSEARCH_VERSION (minimal distribution + module jars)"
    rm -rf "$home"; mkdir -p "$DIST_DIR/downloads/opensearch-modules"
    mvn_fetch "org.opensearch.distribution.integ-test-zip:opensearch:$OPENSEARCH_VERSION:zip" "$DIST_DIR/downloads"
    unzip -q -o "$DIST_DIR/downloads/opensearch-$OPENSEARCH_VERSION.zip" -d "$DIST_DIR"
    rm -f "$DIST_DIR/downloads/opensearch-$OPENSEARCH_VERSION.zip"
    local jars=$DIST_DIR/downloads/opensearch-modules
    (cd "$REPO_ROOT/deploy/local/maven/opensearch-modules" &&
      mvn -q -B dependency:copy-dependencies -DoutputDirectory="$jars" >>"$LOG_DIR/maven.log" 2>&1) || die "could not fetch OpenSearch module jars"
    build_opensearch_modules "$home" "$jars"
    touch "$home/.modules-ready"
  fi
  if is_root; then chown -R "$SERVICE_USER:$SERVICE_USER" "$home"; fi
}

build_opensearch_modules() {
  local home=$1 jars=$2 folder classname extended jar_patterns policy dir pattern jar
  while IFS='|' read -r folder classname extended jar_patterns policy; do
    case $folder in ''|'#'*) continue ;; esac
    dir=$home/modules/$folder
    mkdir -p "$dir"
    for pattern in $jar_patterns; do
      for jar in "$jars"/$pattern-[0-9]*.jar; do
        [ -f "$jar" ] || die "module $folder: no jar matches $pattern"
        # A jar already in lib/ would trip OpenSearch's jar-hell check.
        [ -f "$home/lib/$(basename "$jar")" ] || cp "$jar" "$dir/"
      done
    done
    cat > "$dir/plugin-descriptor.properties" <<PROPS
description=$folder module for the orderfleet local stack
version=$OPENSEARCH_VERSION
name=$folder
classname=$classname
java.version=11
opensearch.version=$OPENSEARCH_VERSION
custom.foldername=
extended.plugins=$extended
has.native.controller=false
PROPS
    if [ -n "$policy" ]; then
      cp "$REPO_ROOT/deploy/local/opensearch/$policy" "$dir/plugin-security.policy"
    fi
  done < "$REPO_ROOT/deploy/local/opensearch/modules.tsv"
}

install_all() {
  apt_install postgresql redis-server curl unzip openjdk-17-jre-headless maven util-linux
  ensure_service_user
  find_java 21+ >/dev/null
  mkdir -p "$DIST_DIR" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR"
  install_opensearch
  install_kafka
  install_camunda
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  install_all
  # `install.sh prometheus` also installs the optional Prometheus.
  if [ "${1:-}" = prometheus ] || [ "${ORDERFLEET_PROMETHEUS:-0}" = 1 ]; then install_prometheus; fi
fi
