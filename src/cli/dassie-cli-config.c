/* dassie-cli-config.c: "dassie-cli config show|set|get"
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "dassie-cli-private.h"

int
_dassie_cli_config (DassieCliContext  *ctx,
                    int                argc,
                    char             **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("show | get KEY | set FILE KEY=VALUE…"));
  g_autoptr(GError) error = NULL;
  const char *action;

  g_option_context_set_summary (context,
    _("Show the configuration (defaults plus -c and --set), read one key, or write overrides into a "
      "JSON configuration file."));
  if (!_dassie_cli_parse (ctx, context, &argc, &argv))
    return 2;

  action = argc > 1 ? argv[1] : "show";

  if (g_str_equal (action, "show"))
    {
      g_autofree char *json = dassie_config_to_json (ctx->config);

      g_print ("%s\n", json);
      return 0;
    }

  if (g_str_equal (action, "get"))
    {
      g_autofree char *value = NULL;

      if (argc != 3)
        {
          g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli config get KEY"));
          return 2;
        }
      value = dassie_config_get_as_string (ctx->config, argv[2]);
      if (value == NULL)
        {
          g_printerr ("dassie-cli: %s “%s”\n", _("Unknown configuration key"), argv[2]);
          return 1;
        }
      g_print ("%s\n", value);
      return 0;
    }

  if (g_str_equal (action, "set"))
    {
      g_autoptr(DassieConfig) file_config = dassie_config_new ();
      const char *file;

      if (argc < 4)
        {
          g_printerr ("dassie-cli: %s\n", _("usage: dassie-cli config set FILE KEY=VALUE…"));
          return 2;
        }
      file = argv[2];
      if (g_file_test (file, G_FILE_TEST_EXISTS) && !dassie_config_load_file (file_config, file, &error))
        return _dassie_cli_fail (error);
      for (int i = 3; i < argc; i++)
        if (!dassie_config_set_assignment (file_config, argv[i], &error))
          return _dassie_cli_fail (error);
      if (!dassie_config_save_file (file_config, file, &error))
        return _dassie_cli_fail (error);
      g_print ("%s\n", file);
      return 0;
    }

  g_printerr ("dassie-cli: %s “%s”; %s\n", _("Unknown config action"), action, _("use show, get or set"));
  return 2;
}
