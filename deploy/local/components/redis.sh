# Redis from Debian's packages. It only accelerates: the fleet stays correct without it.
redis_port() { echo "$REDIS_PORT"; }
redis_url() { echo "redis://127.0.0.1:$REDIS_PORT/0"; }
redis_healthy() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

redis_start() {
  mkdir -p "$DATA_DIR/redis"
  start_background redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DATA_DIR/redis" \
    --daemonize no --save "" --appendonly no --protected-mode yes
  wait_until redis 20 redis_healthy
}
