# Camunda 8.6: the Zeebe broker (embedded gateway) and Operate in one JVM, exporting to OpenSearch.
camunda_port() { echo "$ZEEBE_GRPC_PORT"; }
camunda_url() { echo "grpc 127.0.0.1:$ZEEBE_GRPC_PORT, Operate http://127.0.0.1:$CAMUNDA_HTTP_PORT (demo/demo)"; }
camunda_healthy() {
  port_open "$ZEEBE_GRPC_PORT" &&
    curl -fsS "http://127.0.0.1:$CAMUNDA_MGMT_PORT/actuator/health/readiness" >/dev/null 2>&1 &&
    curl -fsS -o /dev/null -X POST "http://127.0.0.1:$CAMUNDA_HTTP_PORT/api/login?username=demo&password=demo" 2>/dev/null
}

camunda_start() {
  local home java data os_url
  home=$DIST_DIR/camunda-zeebe-$CAMUNDA_VERSION
  java=$(find_java 21+)
  data=$DATA_DIR/camunda; mkdir -p "$data"
  os_url=http://127.0.0.1:$OPENSEARCH_PORT
  port_open "$OPENSEARCH_PORT" || die "camunda needs OpenSearch on $OPENSEARCH_PORT; start it first"
  (cd "$data" && start_background camunda env \
    JAVA_HOME="$java" \
    JAVA_OPTS="${ORDERFLEET_CAMUNDA_JAVA_OPTS:--Xms512m -Xmx1536m}" \
    SPRING_PROFILES_ACTIVE=operate,broker \
    SERVER_ADDRESS=127.0.0.1 \
    SERVER_PORT="$CAMUNDA_HTTP_PORT" \
    MANAGEMENT_SERVER_PORT="$CAMUNDA_MGMT_PORT" \
    MANAGEMENT_SERVER_ADDRESS=127.0.0.1 \
    ZEEBE_BROKER_NETWORK_HOST=127.0.0.1 \
    ZEEBE_BROKER_GATEWAY_NETWORK_HOST=127.0.0.1 \
    ZEEBE_BROKER_GATEWAY_NETWORK_PORT="$ZEEBE_GRPC_PORT" \
    ZEEBE_BROKER_NETWORK_COMMANDAPI_PORT="$ZEEBE_COMMAND_PORT" \
    ZEEBE_BROKER_NETWORK_INTERNALAPI_PORT="$ZEEBE_INTERNAL_PORT" \
    ZEEBE_BROKER_CLUSTER_CLUSTERNAME=orderfleet-local \
    ZEEBE_BROKER_DATA_DIRECTORY="$data/zeebe" \
    ZEEBE_BROKER_DATA_LOGSEGMENTSIZE=32MB \
    ZEEBE_CLOCK_CONTROLLED="${ORDERFLEET_ZEEBE_CLOCK_CONTROLLED:-true}" \
    ZEEBE_BROKER_EXPORTERS_OPENSEARCH_CLASSNAME=io.camunda.zeebe.exporter.opensearch.OpensearchExporter \
    ZEEBE_BROKER_EXPORTERS_OPENSEARCH_ARGS_URL="$os_url" \
    ZEEBE_BROKER_EXPORTERS_OPENSEARCH_ARGS_BULK_SIZE=1 \
    ZEEBE_BROKER_EXPORTERS_OPENSEARCH_ARGS_INDEX_PREFIX=zeebe-record \
    CAMUNDA_DATABASE_TYPE=opensearch \
    CAMUNDA_DATABASE_URL="$os_url" \
    CAMUNDA_OPERATE_DATABASE=opensearch \
    CAMUNDA_OPERATE_OPENSEARCH_URL="$os_url" \
    CAMUNDA_OPERATE_ZEEBEOPENSEARCH_URL="$os_url" \
    CAMUNDA_OPERATE_ZEEBEOPENSEARCH_PREFIX=zeebe-record \
    CAMUNDA_OPERATE_ZEEBE_GATEWAYADDRESS="127.0.0.1:$ZEEBE_GRPC_PORT" \
    "$home/bin/camunda")
  wait_until camunda 180 camunda_healthy
}

# camunda_export_backlog prints how many records the exporter still has to write to OpenSearch,
# summed over partitions from the broker's partitions endpoint. A partition's exported position runs
# ahead of its processed one when the last command wrote follow-up events, so each is clamped at 0.
camunda_export_backlog() {
  curl -fsS --max-time 5 "http://127.0.0.1:$CAMUNDA_MGMT_PORT/actuator/partitions" 2>/dev/null |
    grep -o '"processedPosition":[0-9]*\|"exportedPosition":[0-9]*' |
    awk -F: '/processed/ {p = $2} /exported/ {d = p - $2; if (d > 0) sum += d; n++}
      END {if (n == 0) exit 1; print sum + 0}'
}

# camunda_settle waits until the exporter has caught up. After a restart the broker exports again
# from its last exported position; a benchmark can leave 100k+ records behind, and until they are
# written Operate shows nothing new, so tests that ask Operate would time out.
camunda_settle() {
  local backlog state start last_report=0 timeout=${ORDERFLEET_EXPORT_WAIT_SECONDS:-900}
  case $timeout in ''|*[!0-9]*) die "ORDERFLEET_EXPORT_WAIT_SECONDS=$timeout is not a number of seconds" ;; esac
  start=$(date +%s)
  while :; do
    if backlog=$(camunda_export_backlog); then
      [ "$backlog" -gt 1000 ] || return 0
      state="$backlog records behind"
    else
      state="not reporting (no partitions from :$CAMUNDA_MGMT_PORT/actuator/partitions)"
    fi
    if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
      die "camunda's exporter is still $state after ${timeout}s; see $LOG_DIR/camunda.log (ORDERFLEET_EXPORT_WAIT_SECONDS raises the wait)"
    fi
    if [ $(( $(date +%s) - last_report )) -ge 10 ]; then
      say "camunda exporter is $state; waiting for Operate's data to catch up"
      last_report=$(date +%s)
    fi
    sleep 2
  done
}
