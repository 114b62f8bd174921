#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fails when po/POTFILES.in lists a file that does not exist, or misses a source file with
# translatable strings: _(" N_(" C_(" NC_(" g_dngettext( in C, translatable="yes" in .ui and .xml;
# when a template shows text that is not marked; and when a macro cuts a msgid short.
# Usage: check-potfiles.sh SOURCE_ROOT
set -euo pipefail
cd "$1"

listed=$(grep -v -e '^#' -e '^[[:space:]]*$' po/POTFILES.in | sort -u)
status=0

for f in $listed; do
  if [[ ! -f "$f" ]]; then
    echo "po/POTFILES.in lists $f, which does not exist; remove it from po/POTFILES.in"
    status=1
  fi
done

c_marks='(^|[^A-Za-z0-9_])(_|N_|C_|NC_|Q_)[[:space:]]*\([[:space:]]*"|g_dn?p?gettext2?[[:space:]]*\('
marked=$( { grep -rlE --include='*.c' --include='*.h' --include='*.cpp' "$c_marks" src || true
            grep -rl --include='*.ui' --include='*.xml' 'translatable="yes"' src ui || true
            ls data/*.desktop.in data/*.metainfo.xml.in data/*.gschema.xml 2>/dev/null || true
          } | sort -u)

for f in $marked; do
  if ! grep -qxF "$f" <<< "$listed"; then
    echo "$f has translatable strings but is missing from po/POTFILES.in; add it there"
    status=1
  fi
done

# A visible text in a template that is not marked is never translated.
unmarked=$(grep -rnE --include='*.ui' 'name="(label|title|subtitle|tooltip-text|description|placeholder-text|text)"[^>]*>[^<]*[A-Za-z]' src ui 2>/dev/null |
           grep -v 'translatable=' || true)
if [[ -n "$unmarked" ]]; then
  echo "these texts in templates are not marked translatable=\"yes\" (or translatable=\"no\" on purpose):"
  echo "$unmarked"
  status=1
fi

# A macro such as G_GINT64_FORMAT inside _("…") cuts the msgid short, so the string is never
# translated; gettext understands <inttypes.h>'s PRId64 and PRIu64 there, and %zu for gsize.
if command -v xgettext > /dev/null; then
  c_files=$(grep -E '\.(c|h|cpp)$' <<< "$listed" || true)
  if [[ -n "$c_files" ]]; then
    # shellcheck disable=SC2086
    cut_short=$(xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
                  --keyword=g_dngettext:2,3 --no-wrap --omit-header --no-location -o - $c_files 2>/dev/null |
                sed -n 's/^msgid\(_plural\)\? "\(.*\)"$/\2/p' | sed 's/%%//g' | grep -E '%$' || true)
    if [[ -n "$cut_short" ]]; then
      echo "these translatable strings end in a cut-off % directive (a format macro inside _()?):"
      echo "$cut_short"
      status=1
    fi
  fi
fi

n=$(wc -w <<< "$marked")
echo "checked $n files with translatable strings against po/POTFILES.in"
exit $status
