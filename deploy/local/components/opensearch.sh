# OpenSearch, Operate's store, from the minimal distribution plus the modules install.sh builds.
opensearch_port() { echo "$OPENSEARCH_PORT"; }
opensearch_url() { echo "http://127.0.0.1:$OPENSEARCH_PORT"; }
opensearch_healthy() {
  curl -fsS "http://127.0.0.1:$OPENSEARCH_PORT/_cluster/health" 2>/dev/null | grep -Eq '"status":"(green|yellow)"'
}

opensearch_start() {
  local home data java
  home=$DIST_DIR/opensearch-$OPENSEARCH_VERSION
  data=$(owned_dir opensearch)
  java=$(find_java 17)
  cat > "$data/opensearch.yml" <<YML
cluster.name: orderfleet-local
node.name: local-1
network.host: 127.0.0.1
http.port: $OPENSEARCH_PORT
transport.port: $OPENSEARCH_TRANSPORT_PORT
discovery.type: single-node
path.data: $data/data
path.logs: $data/logs
action.auto_create_index: true
YML
  cp "$home/config/jvm.options" "$home/config/log4j2.properties" "$data/"
  mkdir -p "$data/jvm.options.d" "$data/data" "$data/logs" "$data/tmp"
  is_root && chown -R "$SERVICE_USER:$SERVICE_USER" "$data"
  # OpenSearch resolves relative paths (gc log, heap dumps) against the working directory.
  (cd "$data" && start_background opensearch "${SERVICE_PREFIX[@]}" env \
    OPENSEARCH_JAVA_HOME="$java" OPENSEARCH_PATH_CONF="$data" OPENSEARCH_TMPDIR="$data/tmp" \
    OPENSEARCH_JAVA_OPTS="${ORDERFLEET_OPENSEARCH_HEAP:--Xms1g -Xmx1g}" \
    "$home/bin/opensearch")
  wait_until opensearch 120 opensearch_healthy
}
