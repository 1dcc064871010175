# Apache Kafka in KRaft mode (one combined broker/controller), from Maven Central jars.
kafka_port() { echo "$KAFKA_PORT"; }
kafka_url() { echo "127.0.0.1:$KAFKA_PORT"; }
kafka_healthy() { port_open "$KAFKA_PORT"; }

kafka_start() {
  local java libs conf data
  java=$(kafka_java)
  libs=$DIST_DIR/kafka-$KAFKA_VERSION/libs
  data=$DATA_DIR/kafka; conf=$data/server.properties
  mkdir -p "$data/log"
  cat > "$conf" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data/log
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
  if [ ! -f "$data/log/meta.properties" ]; then
    local cluster_id
    cluster_id=$("$java" -cp "$libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    "$java" -cp "$libs/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$conf" --standalone \
      >"$LOG_DIR/kafka-format.log" 2>&1 ||
      "$java" -cp "$libs/*" kafka.tools.StorageTool format -t "$cluster_id" -c "$conf" \
        >>"$LOG_DIR/kafka-format.log" 2>&1 || die "formatting Kafka storage failed; see $LOG_DIR/kafka-format.log"
  fi
  start_background kafka env KAFKA_HEAP_OPTS= "$java" -Xms256m -Xmx512m -XX:+UseG1GC \
    -Dlog4j2.configurationFile="$REPO_ROOT/deploy/local/kafka-log4j2.xml" -cp "$libs/*" kafka.Kafka "$conf"
  wait_until kafka 60 kafka_healthy
}
