#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for tests: start DIR | createdb DIR NAME | stop DIR (prints connection URLs).
#
#   pgcluster.sh start DIR         init + start a cluster in DIR (127.0.0.1, free port, trust auth, fsync off),
#                                  create database kiosque_test, print its URL and write it to DIR/url
#   pgcluster.sh createdb DIR NAME create database NAME in the running cluster, print its URL
#   pgcluster.sh stop DIR          stop the cluster and remove DIR
#
# As root, the server runs as the `postgres` system user (initdb refuses root): DIR is chown'ed to it, and
# every parent of DIR must be searchable by it (mktemp -d makes 0700 dirs: chmod 755 them).
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin
MARK=.kiosque-pgcluster

die() { echo "pgcluster.sh: $*" >&2; exit 1; }
usage() { die "usage: pgcluster.sh start DIR | createdb DIR NAME | stop DIR"; }

[ $# -ge 2 ] || usage
cmd=$1
dir=$2

if [ "$(id -u)" -eq 0 ]; then
    id -u postgres >/dev/null 2>&1 || die "running as root but no 'postgres' user (is postgresql-15 installed?)"
    RUN=(runuser -u postgres --)
    pguser=postgres
else
    RUN=()
    pguser=$(id -un)
fi

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

check_cluster() {
    [ -f "$dir/$MARK" ] || die "$dir is not a cluster made by pgcluster.sh"
}

create_db() { # NAME -> prints URL
    local name=$1 port
    [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "bad database name: $name"
    port=$(cat "$dir/port")
    "${RUN[@]}" "$PGBIN/createdb" -h "$dir" -p "$port" -U "$pguser" "$name" ||
        die "createdb $name failed (server log: $dir/log)"
    echo "postgres://$pguser@127.0.0.1:$port/$name"
}

case $cmd in
start)
    [ -x "$PGBIN/initdb" ] || die "$PGBIN/initdb not found (install postgresql-15)"
    [ ! -e "$dir/$MARK" ] || die "$dir already holds a cluster (stop it first)"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    touch "$dir/$MARK"
    echo "$pguser" >"$dir/user"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        runuser -u postgres -- test -w "$dir" ||
            die "user postgres cannot reach $dir: make its parent directories searchable (chmod 755)"
    fi
    locale=C.UTF-8
    locale -a 2>/dev/null | grep -qix 'c.utf-\?8' || locale=C
    "${RUN[@]}" "$PGBIN/initdb" -D "$dir/data" -U "$pguser" --auth=trust --encoding=UTF8 --locale="$locale" \
        --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    started=
    for _ in 1 2 3 4 5; do # the port is free when picked but may be taken before postgres binds it: retry
        port=$(free_port)
        cat >"$dir/data/postgresql.auto.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
log_min_messages = warning
EOF
        if "${RUN[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start >/dev/null 2>&1; then
            started=1
            break
        fi
    done
    [ -n "$started" ] || { tail -n 20 "$dir/log" >&2 || true; die "pg_ctl start failed (log: $dir/log)"; }
    echo "$port" >"$dir/port"
    url=$(create_db kiosque_test)
    echo "$url" >"$dir/url"
    echo "$url"
    ;;
createdb)
    [ $# -eq 3 ] || usage
    check_cluster
    create_db "$3"
    ;;
stop)
    [ -d "$dir" ] || exit 0
    check_cluster
    if [ -f "$dir/data/postmaster.pid" ]; then
        "${RUN[@]}" "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 ||
            echo "pgcluster.sh: warning: pg_ctl stop failed in $dir" >&2
    fi
    rm -rf "$dir"
    ;;
*)
    usage
    ;;
esac
