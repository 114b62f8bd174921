#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the build into a temporary DESTDIR and checks that the installed programs run and that
# the desktop file, metainfo, icons, settings schema and translations are where desktops look.
# Usage: check-install.sh MESON BUILD_DIR PREFIX BINDIR DATADIR LOCALEDIR APP_ID VERSION
set -euo pipefail
meson=$1 build=$2 prefix=$3 bindir=$4 datadir=$5 localedir=$6 app_id=$7 version=$8

dest=$(mktemp -d "${TMPDIR:-/tmp}/dassie-install-XXXXXX")
trap 'rm -rf "$dest"' EXIT

# --no-rebuild: "meson test" has built everything, and a nested ninja must not run in its build dir.
"$meson" install -C "$build" --no-rebuild --destdir "$dest" > "$dest.log" 2>&1 || { cat "$dest.log"; rm -f "$dest.log"; exit 1; }
rm -f "$dest.log"

# meson gives relative bindir/datadir/localedir when they are below the prefix.
abs () { [[ "$1" == /* ]] && echo "$1" || echo "$prefix/$1"; }
bin="$dest$(abs "$bindir")"
data="$dest$(abs "$datadir")"
locale="$dest$(abs "$localedir")"

status=0
expect_file () {
  if [[ -f "$1" ]]; then echo "ok: ${1#"$dest"}"; else echo "missing: ${1#"$dest"}"; status=1; fi
}

expect_file "$bin/dassie"
expect_file "$bin/dassie-cli"
expect_file "$data/applications/$app_id.desktop"
expect_file "$data/metainfo/$app_id.metainfo.xml"
expect_file "$data/icons/hicolor/scalable/apps/$app_id.svg"
expect_file "$data/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
expect_file "$data/glib-2.0/schemas/$app_id.gschema.xml"
while read -r lang; do
  [[ -z "$lang" || "$lang" == \#* ]] && continue
  expect_file "$locale/$lang/LC_MESSAGES/dassie.mo"
done < "$(dirname "$0")/../po/LINGUAS"

# The installed programs run from where they were installed (the core is linked statically).
out=$("$bin/dassie-cli" --version)
if [[ "$out" != "dassie-cli $version" ]]; then echo "dassie-cli --version printed “$out”"; status=1; fi
out=$(env -u DISPLAY -u WAYLAND_DISPLAY "$bin/dassie" --version)
if [[ "$out" != "dassie $version" ]]; then echo "dassie --version printed “$out”"; status=1; fi

# The installed catalogue translates the installed CLI (DASSIE_LOCALEDIR stands in for the prefix).
out=$(LANGUAGE=de LC_ALL=C.UTF-8 DASSIE_LOCALEDIR="$locale" "$bin/dassie-cli" --help | head -n 1)
if [[ "$out" != "Aufruf: dassie-cli BEFEHL"* ]]; then echo "the German catalogue was not used: “$out”"; status=1; fi

# The installed schema compiles on its own.
glib-compile-schemas --strict --dry-run "$data/glib-2.0/schemas" || status=1

exit $status
