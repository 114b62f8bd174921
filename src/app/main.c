/* main.c: starts Dassie
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "dassie-application.h"
#include "dassie-i18n.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(DassieApplication) app = NULL;

  setlocale (LC_ALL, "");
  dassie_i18n_init ();

  g_set_application_name (_("Dassie"));
  app = dassie_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
