#!/usr/bin/env bash
# Make PostgreSQL and Redis reachable for the project.
# - DATABASE_URL / REDIS_URL set: trust them, start nothing.
# - Otherwise use 127.0.0.1:5432 / :6379, starting the installed services when stopped.
# - On a machine without them: install Debian's postgresql and redis-server and run
#   project-local instances under .data/.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="$PWD/.data"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "$@" >/dev/null
}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then return; fi
  if ! command -v pg_ctlcluster >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "installing postgresql"; apt_install postgresql
  fi
  pg_up && return
  if command -v pg_ctlcluster >/dev/null && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
    done
  fi
  for _ in $(seq 1 20); do pg_up && return; sleep 0.5; done
  # No usable cluster: run a project-local one (trust auth for local development only).
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  mkdir -p "$DATA"
  if [ ! -f "$DATA/pg/PG_VERSION" ]; then
    mkdir -p "$DATA/pg"; chown postgres "$DATA/pg" 2>/dev/null || true
    runuser -u postgres -- "$bin/initdb" -D "$DATA/pg" -U postgres --auth=trust >/dev/null
  fi
  runuser -u postgres -- "$bin/pg_ctl" -D "$DATA/pg" -o "-p 5432 -k /tmp -c listen_addresses=127.0.0.1" \
    -l "$DATA/pg.log" start >/dev/null
  for _ in $(seq 1 40); do pg_up && return; sleep 0.5; done
  echo "PostgreSQL did not start (see $DATA/pg.log)" >&2; exit 1
}

ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then return; fi
  redis_up && return
  command -v redis-server >/dev/null || { echo "installing redis-server"; apt_install redis-server; }
  mkdir -p "$DATA/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir "$DATA/redis" --logfile "$DATA/redis.log"
  for _ in $(seq 1 20); do redis_up && return; sleep 0.25; done
  echo "Redis did not start (see $DATA/redis.log)" >&2; exit 1
}

command -v pg_isready >/dev/null || apt_install postgresql-client
command -v redis-cli >/dev/null || apt_install redis-tools
ensure_postgres
ensure_redis
echo "services: postgres and redis reachable"
