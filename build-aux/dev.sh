#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# One entry point for the README's Quick start: install what is missing, build, then run or test.
#   bash build-aux/dev.sh run    build and launch Dassie on the demo data set
#   bash build-aux/dev.sh test   build and run the whole test suite (plus the core tests under ASan)
set -euo pipefail

top="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$top"

install_missing_packages () {
  local missing=()
  while read -r pkg; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done < build-aux/debian-packages.txt
  if (( ${#missing[@]} )); then
    echo "dev.sh: installing ${missing[*]}"
    local sudo=()
    [[ $(id -u) -ne 0 ]] && sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

build () {
  local dir="$1"; shift
  if [[ ! -f "$dir/build.ninja" ]]; then
    meson setup "$dir" "$@"
  fi
  meson compile -C "$dir"
}

case "${1:-}" in
  run)
    install_missing_packages
    build _build
    shift
    if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
      echo "dev.sh: no display found; running Dassie under xvfb-run (a virtual screen)."
      # Nothing reads the accessibility tree of a virtual screen, and a minimal system has no at-spi.
      exec xvfb-run -a env GSK_RENDERER=cairo GTK_A11Y=none ./_build/src/app/dassie --demo "$@"
    fi
    exec ./_build/src/app/dassie --demo "$@"
    ;;
  test)
    install_missing_packages
    build _build
    log=$(mktemp)
    status=0
    meson test -C _build --print-errorlogs --num-processes 2 2>&1 | tee "$log" || status=1
    # The core again under AddressSanitizer and UBSan: memory errors fail the run.
    build _build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      LSAN_OPTIONS=suppressions="$top/tests/lsan.supp" \
      meson test -C _build-asan --suite core --print-errorlogs --num-processes 2 2>&1 | tee -a "$log" || status=1
    passed=$(awk '/^Ok:/ { n += $2 } END { print n + 0 }' "$log")
    failed=$(awk '/^(Fail|Timeout|Unexpected Pass):/ { n += $NF } END { print n + 0 }' "$log")
    rm -f "$log"
    echo "screenshots of the GUI tests: $top/_build/screenshots"
    echo "$passed passed, $failed failed"
    exit $status
    ;;
  *)
    echo "usage: bash build-aux/dev.sh run|test" >&2
    exit 2
    ;;
esac
