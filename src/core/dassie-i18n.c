/* dassie-i18n.c: where the programs find their translations
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-i18n.h"

const char *
dassie_i18n_get_localedir (void)
{
  const char *dir = g_getenv ("DASSIE_LOCALEDIR");

  return dir != NULL && *dir != 0 ? dir : LOCALEDIR;
}

void
dassie_i18n_init (void)
{
  bindtextdomain (GETTEXT_PACKAGE, dassie_i18n_get_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
