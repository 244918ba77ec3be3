#!/usr/bin/env bash
# Install (Debian package) and start a throw-away PostgreSQL cluster for the tests, on
# 127.0.0.1:${PGPORT:-55432} with trust auth. Prints the SQLAlchemy URL on its last line.
set -euo pipefail
PGPORT=${PGPORT:-55432}
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing PostgreSQL (Debian package)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
PGBIN=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
PGDATA=${PGDATA:-/tmp/scipix-pg-$PGPORT}
if ! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
  rm -rf "$PGDATA"
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  su postgres -s /bin/sh -c "$PGBIN/initdb -D $PGDATA -A trust -U postgres" >/dev/null
  su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $PGDATA -o '-p $PGPORT -k /tmp -h 127.0.0.1' -l $PGDATA/server.log -w start" >&2
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
