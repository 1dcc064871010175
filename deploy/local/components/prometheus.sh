# Prometheus from Debian's packages, optional: it scrapes the fleet's /metrics and the engine's
# management endpoint. Started by `stack.sh up` only when ORDERFLEET_PROMETHEUS=1, or when named
# (`stack.sh up prometheus`), so `make test` on a fresh machine installs and starts nothing more.
PROMETHEUS_PORT=${ORDERFLEET_PROMETHEUS_PORT:-19090}

prometheus_port() { echo "$PROMETHEUS_PORT"; }
prometheus_url() { echo "http://127.0.0.1:$PROMETHEUS_PORT (targets: /targets)"; }
prometheus_healthy() { curl -fsS "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null 2>&1; }
prometheus_enabled() { [ "${ORDERFLEET_PROMETHEUS:-0}" = 1 ]; }

# prometheus_config writes the local scrape config with the stack's current engine management port.
prometheus_config() {
  local out=$RUN_DIR/prometheus.yml
  sed "s/127\.0\.0\.1:9600/127.0.0.1:$ENGINE_MGMT_PORT/" "$REPO_ROOT/deploy/prometheus/prometheus-local.yml" > "$out"
  echo "$out"
}

prometheus_start() {
  local data config
  command -v prometheus >/dev/null || die "prometheus is not installed; run: deploy/local/install.sh prometheus"
  data=$DATA_DIR/prometheus; mkdir -p "$data"
  config=$(prometheus_config)
  start_background prometheus prometheus --config.file="$config" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --storage.tsdb.path="$data" \
    --storage.tsdb.retention.time=2d
  wait_until prometheus 60 prometheus_healthy
}
