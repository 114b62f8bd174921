#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's two Quick start commands on a fresh Debian 12 root, as a new user would run them.
#   bash build-aux/check-fresh.sh [ROOT]
# Builds a minimal Debian 12 (bookworm) root with debootstrap in ROOT (a new folder under /var/tmp
# unless given), adds what an installed system has that debootstrap leaves out (/etc/hosts, a machine
# id), clones this checkout's committed HEAD into it with ../shared beside it, then runs, as root in
# the chroot:
#   bash build-aux/dev.sh test    to its end, and
#   bash build-aux/dev.sh run     under xvfb-run for $DASSIE_RUN_SECONDS (60) seconds,
# and prints both outcomes. It needs root and the network to the Debian archive, and takes minutes;
# it is not part of .ci/run. The root is left in place for a look inside; delete it when done.
set -euo pipefail

top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$(cd "$top/.." && pwd)/shared"
root="${1:-$(mktemp -d /var/tmp/dassie-fresh.XXXXXX)}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
run_seconds="${DASSIE_RUN_SECONDS:-60}"

if [[ $(id -u) -ne 0 ]]; then
  echo "check-fresh.sh: run me as root (debootstrap and chroot need it)" >&2
  exit 2
fi
if ! command -v debootstrap >/dev/null; then
  apt-get install -y -qq --no-install-recommends debootstrap
fi

mounted=()
cleanup () {
  for (( i = ${#mounted[@]} - 1; i >= 0; i-- )); do
    umount -l "${mounted[i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT

mount_into () {
  local what="$1" where="$root$2"; shift 2
  mkdir -p "$where"
  mount "$@" "$what" "$where"
  mounted+=("$where")
}

if [[ ! -x "$root/bin/bash" ]]; then
  echo "check-fresh.sh: debootstrap bookworm into $root"
  debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.debootstrap.log" 2>&1 || {
    echo "check-fresh.sh: debootstrap failed; see $root.debootstrap.log" >&2
    exit 1
  }
fi

# What the installer writes and debootstrap does not.
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
[[ -s "$root/etc/machine-id" ]] || od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$root/etc/machine-id"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The archive this machine reaches, with its apt settings (a snapshot mirror may need them).
cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/" 2>/dev/null || true
[[ -f /etc/apt/sources.list ]] && cp /etc/apt/sources.list "$root/etc/apt/sources.list"
find "$root/etc/apt/sources.list.d" -name '*.disabled*' -delete
cp /etc/apt/apt.conf.d/99* "$root/etc/apt/apt.conf.d/" 2>/dev/null || true

mount_into proc /proc -t proc
mount_into sysfs /sys -t sysfs
mount_into /dev /dev --bind
mount_into devpts /dev/pts -t devpts
mount_into tmpfs /dev/shm -t tmpfs

rm -rf "$root/root/dassie" "$root/root/shared"
git clone -q "$top" "$root/root/dassie"
cp -a "$shared" "$root/root/shared"

in_root () {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c "cd /root/dassie && $1"
}

echo "check-fresh.sh: bash build-aux/dev.sh test (log: $root/root/test.log)"
test_status=0
in_root "bash build-aux/dev.sh test" > "$root/root/test.log" 2>&1 || test_status=$?
test_result=$(tail -n 1 "$root/root/test.log")

echo "check-fresh.sh: bash build-aux/dev.sh run for $run_seconds s (log: $root/root/run.log)"
run_status=0
in_root "timeout --kill-after=10 $run_seconds bash build-aux/dev.sh run" > "$root/root/run.log" 2>&1 || run_status=$?

echo
echo "test command: exit $test_status; $test_result"
if (( run_status == 124 )); then
  echo "run command: still running after $run_seconds s (stopped by timeout)"
else
  echo "run command: ended by itself with exit $run_status before $run_seconds s; see $root/root/run.log"
fi
(( test_status == 0 && run_status == 124 ))
