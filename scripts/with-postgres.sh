#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster:
#   scripts/with-postgres.sh COMMAND [ARGS...]
# initdb + pg_ctl in a temporary directory on a free 127.0.0.1 port (trust auth, superuser
# "postgres"), GROUPBOT_TEST_POSTGRES_URL exported for the command, then the cluster is stopped
# and removed whatever the command's outcome. Exits with the command's status.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

find_bindir() {
  local initdb
  initdb=$(command -v initdb 2>/dev/null) \
    || initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1) \
    || true
  [ -n "$initdb" ] && [ -x "$initdb" ] && dirname "$(readlink -f "$initdb")"
}
bindir=$(find_bindir) || {
  echo "with-postgres: no initdb on PATH or under /usr/lib/postgresql/*/bin; install PostgreSQL" >&2
  exit 1
}

# PostgreSQL refuses to run as root: run the server as the "postgres" user then.
as_server_user=()
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    echo "with-postgres: running as root and there is no 'postgres' user to run the server as" >&2
    exit 1
  fi
  as_server_user=(runuser -u postgres --)
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tmp=$(mktemp -d "${TMPDIR:-/tmp}/groupbot-pg.XXXXXX")
chmod 755 "$tmp"
[ "${#as_server_user[@]}" -gt 0 ] && chown postgres "$tmp"

cleanup() {
  "${as_server_user[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${as_server_user[@]}" "$bindir/initdb" -D "$tmp/data" -U postgres -A trust -E UTF8 \
  --no-sync >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }
"${as_server_user[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 30 \
  -o "-h 127.0.0.1 -p $port -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$tmp/server.log" >&2; exit 1; }

export GROUPBOT_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/postgres"
echo "with-postgres: throwaway PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on port $port" >&2
status=0
"$@" || status=$?
exit "$status"
