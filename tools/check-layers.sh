#!/usr/bin/env bash
# check-layers.sh: fails when a source file includes a layer it must not (ARCHITECTURE.md, "Layers").
set -u
cd "$(dirname "$0")/.." || exit 1
status=0
check() { # folder, forbidden include pattern, reason
	local hits
	hits=$(grep -rnE "#include [\"<]($2)" "$1" 2>/dev/null)
	if [ -n "$hits" ]; then
		echo "layer violation ($3):"
		echo "$hits"
		status=1
	fi
}
check src/base '(\.\./)?(db|core|http|web|api|jobs)/|microhttpd|sqlite3|libpq' "base uses nothing of ours"
check src/db '(\.\./)?(core|http|web|api|jobs)/|microhttpd' "db never uses core, http, web"
check src/core '(\.\./)?(http|web|api|jobs)/|microhttpd|sqlite3\.h|libpq' "core never uses http, web, api"
check src/http '(\.\./)?(db|core|web|api|jobs)/|sqlite3\.h|libpq' "http never uses core, web, db"
check src/web '(\.\./)?(db|jobs)/|sqlite3\.h|libpq' "pages never use the database directly"
check src/api '(\.\./)?(db|jobs)/|sqlite3\.h|libpq' "the API never uses the database directly"
check src/jobs '(\.\./)?(http|web|api)/|microhttpd' "jobs never use http or pages"
[ $status -eq 0 ] && echo "check-layers: ok"
exit $status
