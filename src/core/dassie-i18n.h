/* dassie-i18n.h: where the programs find their translations
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The folder holding <lang>/LC_MESSAGES/dassie.mo: $DASSIE_LOCALEDIR when set (the build tree's
 * po folder, for running uninstalled and for the tests), else the installed locale folder. */
const char *dassie_i18n_get_localedir (void);
/* Binds Dassie's gettext domain to that folder in UTF-8 and makes it the default domain, so that
 * _() in every layer and the templates' translatable strings use it. Call after setlocale(). */
void        dassie_i18n_init          (void);

G_END_DECLS
