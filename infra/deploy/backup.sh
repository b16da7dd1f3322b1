#!/usr/bin/env bash
# Backs up Guichet's database to one file.
#
#   infra/deploy/backup.sh [--env /etc/guichet/guichet.env] <file>
#
# With DATABASE_URL (from the environment or the --env file): pg_dump's custom format, taken
# online in one consistent snapshot (api and workers keep running). Restore with restore.sh.
#
# Without it, the embedded database: DATA_DIR/pglite as a .tar.gz. PGlite lives inside the api
# process, so its files are consistent only when no process has them open: the api must be
# stopped (systemctl stop guichet-api); the script refuses while guichet.pid names a live process,
# and holds that lock itself while it copies, so the api cannot start meanwhile.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=infra/deploy/lib.sh
. "$here/lib.sh"
parse_args "$@"
[ -n "$target" ] || die "usage: backup.sh [--env FILE] <file>"

if [ -n "$database_url" ]; then
  # Plain connection strings only: no password on the command line (use ~/.pgpass or PGPASSFILE).
  pg_dump --format=custom --no-owner --file="$target.partial" --dbname="$database_url"
  mv "$target.partial" "$target"
  echo "backup.sh: $(du -h "$target" | cut -f1) written to $target (pg_dump custom format)"
else
  dir="$data_dir/pglite"
  [ -f "$dir/PG_VERSION" ] || die "no embedded database in $dir (DATA_DIR=$data_dir)"
  lock_data_dir "$dir"
  tar --create --gzip --file="$target.partial" --directory="$dir" --exclude=./guichet.pid .
  mv "$target.partial" "$target"
  echo "backup.sh: $(du -h "$target" | cut -f1) written to $target (embedded data directory $dir)"
fi
