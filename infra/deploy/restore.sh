#!/usr/bin/env bash
# Restores a backup.sh file into a fresh database.
#
#   infra/deploy/restore.sh [--env /etc/guichet/guichet.env] <file>
#
# With DATABASE_URL: into that database, which must exist and be empty (createdb guichet first);
# one transaction, stops at the first error, so a failed restore leaves it empty. Start the api
# and workers afterwards: they see the migrations as applied and the jobs as they were.
# Without it: into DATA_DIR/pglite, which must be absent or empty (locked while it is written).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=infra/deploy/lib.sh
. "$here/lib.sh"
parse_args "$@"
[ -n "$target" ] && [ -f "$target" ] || die "usage: restore.sh [--env FILE] <backup file>"

if [ -n "$database_url" ]; then
  tables=$(psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$database_url" \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
  [ "$tables" = 0 ] || die "the target database already holds $tables tables: restore into a fresh one"
  pg_restore --no-owner --exit-on-error --single-transaction --dbname="$database_url" "$target"
  echo "restore.sh: $target restored into the database of DATABASE_URL"
else
  dir="$data_dir/pglite"
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [ -n "$(ls -A "$dir")" ]; then die "$dir is not empty: restore into a fresh DATA_DIR"; fi
  lock_data_dir "$dir"
  tar --extract --gzip --file="$target" --directory="$dir" --no-same-owner
  echo "restore.sh: $target restored into $dir"
fi
