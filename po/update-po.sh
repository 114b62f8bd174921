#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Refreshes po/dassie.pot from the files in po/POTFILES.in, merges it into every po/<lang>.po and
# lists what is left to translate (new strings are empty, changed ones are marked fuzzy).
#   bash po/update-po.sh [BUILD_DIR]     (BUILD_DIR defaults to _build)
# Then translate the listed entries in po/<lang>.po (remove the "#, fuzzy" line once an entry is
# right) and rebuild; tests/check-potfiles.sh and the "potfiles" test say which files to list first.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-_build}

[[ -f "$build/build.ninja" ]] || meson setup "$build"
meson compile -C "$build" dassie-pot dassie-update-po

# meson 1.0 does not rebuild the merged desktop file and metainfo when a .po file changes.
rm -f "$build/data/org.dassie.Dassie.desktop" "$build/data/org.dassie.Dassie.metainfo.xml"

for po in po/*.po; do
  printf '%s: ' "$po"
  msgfmt --check --statistics -o /dev/null "$po"
  todo=$( { msgattrib --untranslated --no-obsolete "$po"; msgattrib --only-fuzzy --no-obsolete "$po"; } |
          grep -c '^msgid "[^"]' || true)
  if (( todo > 0 )); then
    echo "  to translate in $po:"
    { msgattrib --untranslated --no-obsolete --no-wrap "$po"; msgattrib --only-fuzzy --no-obsolete --no-wrap "$po"; } |
      sed -n 's/^msgid "\(..*\)"$/    \1/p'
  fi
done
