# Shared by backup.sh and restore.sh (sourced).

die() {
  echo "${0##*/}: $*" >&2
  exit 1
}

# Sets target, database_url, data_dir from the arguments, the --env file and the environment
# (the environment wins, as with systemd's Environment= over nothing). The env file is read,
# not sourced: its values (a cron expression, a DN list) are not shell.
parse_args() {
  target= env_file=
  while [ $# -gt 0 ]; do
    case "$1" in
      --env) env_file=${2:?--env needs a file}; shift 2 ;;
      -*) die "unknown option $1" ;;
      *) target=$1; shift ;;
    esac
  done
  database_url=${DATABASE_URL-}
  data_dir=${DATA_DIR-}
  if [ -n "$env_file" ]; then
    [ -r "$env_file" ] || die "cannot read $env_file"
    [ -n "$database_url" ] || database_url=$(env_value DATABASE_URL "$env_file")
    [ -n "$data_dir" ] || data_dir=$(env_value DATA_DIR "$env_file")
  fi
  data_dir=${data_dir:-./data}
}

env_value() { sed -n "s/^[[:space:]]*$1=//p" "$2" | tail -n 1; }

# The same lock the api takes (packages/db/src/lock.ts): "<pid> <start time>" in guichet.pid,
# created exclusively; a file whose process is gone is taken over. Released on exit.
start_time() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
lock_data_dir() {
  local file="$1/guichet.pid" pid started
  for _ in 1 2 3; do
    if (set -o noclobber; echo "$$ $(start_time $$)" >"$file") 2>/dev/null; then
      trap 'rm -f "'"$file"'"' EXIT
      return 0
    fi
    read -r pid started <"$file" || true
    # /proc, not kill -0: that fails for a process of another user, which is alive all the same.
    if [ -n "${pid:-}" ] && [ -d "/proc/$pid" ] &&
      { [ -z "${started:-}" ] || [ "$(start_time "$pid")" = "$started" ]; }; then
      die "the embedded database in $1 is open in process $pid: stop the api first (systemctl stop guichet-api)"
    fi
    rm -f "$file"
  done
  die "could not lock $1"
}
