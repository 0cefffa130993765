#!/usr/bin/env bash
# Make sure a Redis answers at $REDIS_URL; start a private one under var/ when none does.
set -euo pipefail
cd "$(dirname "$0")/.."
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"

ping() { .venv/bin/python - "$REDIS_URL" <<'PY'
import sys, redis
try:
    redis.Redis.from_url(sys.argv[1], socket_connect_timeout=1).ping()
except Exception:
    sys.exit(1)
PY
}

ping && exit 0

if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "No Redis answers at $REDIS_URL; installing Debian's redis-server..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "No Redis answers at $REDIS_URL and redis-server is not installed: install it (apt-get install redis-server) or point REDIS_URL at one." >&2
    exit 1
  fi
fi

read -r host port < <(.venv/bin/python -c "import sys, urllib.parse as u; p = u.urlparse(sys.argv[1]); print(p.hostname or '127.0.0.1', p.port or 6379)" "$REDIS_URL")
mkdir -p var/redis
echo "Starting a private redis-server on $host:$port (data in var/redis, log in var/redis/redis.log)."
redis-server --bind "$host" --port "$port" --daemonize yes --save "" --appendonly no \
  --dir "$PWD/var/redis" --logfile "$PWD/var/redis/redis.log" --pidfile "$PWD/var/redis/redis.pid"
for _ in $(seq 50); do ping && exit 0; sleep 0.1; done
echo "redis-server did not start; see var/redis/redis.log." >&2
exit 1
