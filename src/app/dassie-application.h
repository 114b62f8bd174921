/* dassie-application.h: the application: its actions, shortcuts and windows
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define DASSIE_TYPE_APPLICATION (dassie_application_get_type ())

G_DECLARE_FINAL_TYPE (DassieApplication, dassie_application, DASSIE, APPLICATION, AdwApplication)

DassieApplication *dassie_application_new (void);

G_END_DECLS
