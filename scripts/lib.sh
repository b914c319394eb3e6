# Shell functions the demo, scripts/dashboard-screenshot.sh and the Benchmarks/ scripts share:
#   . scripts/lib.sh
# Everything listens on 127.0.0.1 only.

# A TCP port nothing listens on now (a moment later something may: callers retry on a bind error).
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# Waits up to 10 s for something to accept connections on the port.
wait_port() {
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# The IOC broker's TLS listener on PORT with scripts/make-pki.sh's files in DIR (NAME ioc): a
# client certificate from that CA is required, and is the only login.
ioc_tls_listener() {
  local dir=$1 port=$2
  printf 'listener %s 127.0.0.1\ncafile %s/ioc-ca.pem\ncertfile %s/ioc-server.pem\nkeyfile %s/ioc-server.key\nrequire_certificate true\n' \
    "$port" "$dir" "$dir" "$dir"
}

# DIR/receiver.pem and .key: the IOC receiver's own certificate (CN ingest.ioc, which the sample
# ACL lets read every school), signed by DIR/ioc-ca.
make_receiver_cert() {
  (cd "$1" && openssl req -newkey rsa:2048 -nodes -keyout receiver.key -out receiver.csr -subj /CN=ingest.ioc 2>/dev/null &&
    openssl x509 -req -in receiver.csr -CA ioc-ca.pem -CAkey ioc-ca.key -CAcreateserial -out receiver.pem -days 3 2>/dev/null)
}

# PostgreSQL refuses to run as root: as root, its server runs as nobody.
as_pg_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi; }
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"

# A PostgreSQL server of its own in DIR/pg, on a unix socket there (no TCP), with a database
# `ioc`; extra arguments are server settings (`-c fsync=off`). Sets PG_CONNINFO.
start_postgres() {
  local dir=$1
  shift
  mkdir "$dir/pg"
  [ "$(id -u)" -eq 0 ] && chown nobody "$dir/pg"
  as_pg_owner "$PGBIN/initdb" -D "$dir/pg/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  as_pg_owner "$PGBIN/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w -o "-k $dir/pg -c listen_addresses='' $*" start >/dev/null
  "$PGBIN/createdb" -h "$dir/pg" -U postgres ioc
  PG_CONNINFO="host=$dir/pg dbname=ioc user=postgres"
}

stop_postgres() {
  [ -d "$1/pg/data" ] && as_pg_owner "$PGBIN/pg_ctl" -D "$1/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
}
