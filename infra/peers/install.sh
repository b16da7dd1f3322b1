#!/usr/bin/env bash
# Installs the loopback peers the tests need (infra/peers/apt-packages.txt) on Debian 12 or
# Ubuntu, and nothing that is already there: run it as often as you like. Needs root only when
# something is missing; then it re-runs itself through sudo, or says what to run as root.
#
#   infra/peers/install.sh            install what is missing
#   infra/peers/install.sh --check    exit 1 and list what is missing, install nothing
#   infra/peers/install.sh --list     print the package list
#
# Packages installed here start no daemon (a policy-rc.d during the install) and, where systemd
# runs, their services are disabled: the tests start their own daemons on 127.0.0.1 and free
# ports, and a packaged slapd, knot or postfix would only hold well-known ports. Services of
# packages that were already installed are left as they were. GUICHET_PEERS_KEEP_SERVICES=1
# keeps the new ones enabled too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# GUICHET_PEERS_LIST: another list (tests of this script).
list=${GUICHET_PEERS_LIST:-$here/apt-packages.txt}

[ -r "$list" ] || { echo "infra/peers/install.sh: cannot read $list" >&2; exit 1; }
wanted() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$'; }
installed() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed; }
pg_answers() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
have_pg_server() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; }

mode=${1:-install}
case "$mode" in
  --list) wanted; exit 0 ;;
  --check | install) ;;
  *) echo "usage: $0 [--check|--list]" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
  echo "infra/peers/install.sh: this machine has no apt/dpkg; install these by hand:" >&2
  wanted | sed 's/^/  /' >&2
  exit 1
fi

missing=()
while read -r pkg; do installed "$pkg" || missing+=("$pkg"); done < <(wanted)
# initdb/pg_ctl are needed even when a server answers: scripts/with-postgres.mjs may start a
# throwaway cluster, and the fault test (test/fault) always starts one of its own to stop it hard.
if ! have_pg_server && ! installed postgresql; then missing+=(postgresql); fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "infra/peers: every peer is installed ($(wanted | wc -l) packages)"
  exit 0
fi
if [ "$mode" = --check ]; then
  echo "infra/peers: missing: ${missing[*]}" >&2
  exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && [ -z "${GUICHET_PEERS_NO_SUDO:-}" ]; then
    echo "infra/peers: installing ${missing[*]} needs root: running through sudo" >&2
    exec sudo --preserve-env=GUICHET_PEERS_KEEP_SERVICES,GUICHET_PEERS_LIST "$0" "$@"
  fi
  echo "infra/peers: missing ${missing[*]}; run as root: $here/install.sh" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# No daemon starts during the install (Debian's invoke-rc.d asks policy-rc.d): ours only if
# there was none, removed afterwards whatever happens.
policy=/usr/sbin/policy-rc.d
own_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && own_policy=1
fi
cleanup() { if [ -n "$own_policy" ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

# dpkg may be locked by an unattended upgrade for a while: wait for it rather than fail.
apt-get -o DPkg::Lock::Timeout=300 update
apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}"

if [ -d /run/systemd/system ] && [ -z "${GUICHET_PEERS_KEEP_SERVICES:-}" ]; then
  units=()
  for pkg in "${missing[@]}"; do
    while read -r unit; do units+=("$(basename "$unit")"); done < <(
      dpkg -L "$pkg" 2>/dev/null | grep -E '^/(usr/)?lib/systemd/system/[^/@]+\.service$' || true
    )
  done
  if [ ${#units[@]} -gt 0 ]; then
    echo "infra/peers: disabling the packaged services (tests start their own): ${units[*]}"
    systemctl disable --now "${units[@]}" || true
  fi
fi
echo "infra/peers: installed ${missing[*]}"
