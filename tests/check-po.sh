#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks every catalogue in po/LINGUAS: msgfmt --check (format directives, header, plural forms)
# and no fuzzy entries, which gettext never shows. Untranslated entries are counted, not failed:
# po/update-po.sh adds them empty until someone translates them.
# Usage: check-po.sh SOURCE_ROOT
set -euo pipefail
cd "$1/po"
status=0
while read -r lang; do
  [[ -z "$lang" || "$lang" == \#* ]] && continue
  printf '%s.po: ' "$lang"
  msgfmt --check --statistics -o /dev/null "$lang.po" 2>&1 || status=1
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$lang.po" | grep -c '^msgid "[^"]' || true)
  if (( fuzzy > 0 )); then
    echo "$lang.po has $fuzzy fuzzy entries: check each translation and remove its “#, fuzzy” line"
    status=1
  fi
done < LINGUAS
exit $status
