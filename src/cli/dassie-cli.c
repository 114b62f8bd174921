/* dassie-cli.c: Hyrax's verbs on Hyrax's configuration keys, without a window
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "dassie-cli-private.h"
#include "dassie-i18n.h"

static const DassieCliVerb verbs[] = {
  { "make-demo", N_("Write the synthetic demo data set"), _dassie_cli_make_demo },
  { "scan", N_("Summarise a data set and list the files it skips"), _dassie_cli_scan },
  { "download", N_("Download, check and unpack a data set (the HSC demo by default)"), _dassie_cli_download },
  { "train", N_("Train the autoencoder and write a train run"), _dassie_cli_train },
  { "infer", N_("Write the latent vector of every object (latents.fits)"), _dassie_cli_infer },
  { "scores", N_("Score every object by the distance to its nearest neighbours (scores.fits)"), _dassie_cli_scores },
  { "umap", N_("Embed the latent vectors in 2-D with UMAP (embedding.fits)"), _dassie_cli_umap },
  { "search", N_("List the objects nearest to an object or a vector"), _dassie_cli_search },
  { "pipeline", N_("Run train, infer, scores and UMAP in order (on the demo data when none is given)"), _dassie_cli_pipeline },
  { "export", N_("Write the top anomalies or a selection as CSV, FITS or VOTable"), _dassie_cli_export },
  { "label", N_("Import, export and list the labels of a data set (interesting, boring, artifact)"), _dassie_cli_label },
  { "rank", N_("List the unlabelled objects, the most promising first (active learning from the labels)"), _dassie_cli_rank },
  { "config", N_("Show, read or write configuration keys"), _dassie_cli_config },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n\n", _("Usage: dassie-cli VERB [OPTIONS…]"));
  fprintf (stream, "%s\n", _("Find unusual objects in astronomical image cutouts."));
  fprintf (stream, "\n%s\n", _("Verbs:"));
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    fprintf (stream, "  %-12s %s\n", verbs[i].name, _(verbs[i].summary));
  fprintf (stream, "\n%s\n", _("“dassie-cli VERB --help” describes a verb and its options."));
  fprintf (stream, "%s\n", _("Every verb takes -c FILE, --set KEY=VALUE, --data DIR, --results DIR and --json."));
}

/* Ctrl+C cancels the running verb between batches instead of killing it mid-write. A handler (not
 * sigwait with blocked signals) is needed because libraries such as OpenBLAS start threads before
 * main() could block anything, and the kernel may deliver the signal to any of them. The handler only
 * writes to a pipe; this thread does the rest. */
static int signal_pipe[2] = { -1, -1 };

static void
on_signal (int sig)
{
  char c = (char) sig;
  ssize_t written = write (signal_pipe[1], &c, 1);

  (void) written;
}

static gpointer
signal_thread (gpointer data)
{
  GCancellable *cancellable = data;

  for (;;)
    {
      char c;
      ssize_t got = read (signal_pipe[0], &c, 1);

      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return NULL;
      if (g_cancellable_is_cancelled (cancellable))
        _exit (130);
      g_printerr ("\n%s\n", _("Cancelling… (press Ctrl+C again to quit at once)"));
      g_cancellable_cancel (cancellable);
    }
  return NULL;
}

static void
watch_signals (GCancellable *cancellable)
{
  struct sigaction action = { 0 };

  if (pipe (signal_pipe) != 0)
    return;
  action.sa_handler = on_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);
  g_thread_unref (g_thread_new ("signals", signal_thread, cancellable));
}

int
main (int    argc,
      char **argv)
{
  DassieCliContext ctx = { 0 };
  int status;

  setlocale (LC_ALL, "");
  dassie_i18n_init ();

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("dassie-cli %s\n", PACKAGE_VERSION);
      return 0;
    }

  ctx.config = dassie_config_new ();
  ctx.cancellable = g_cancellable_new ();
  watch_signals (ctx.cancellable);

  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      if (!g_str_equal (argv[1], verbs[i].name))
        continue;

      status = verbs[i].run (&ctx, argc - 1, argv + 1);
      dassie_config_free (ctx.config);
      g_free (ctx.config_file);
      g_strfreev (ctx.sets);
      g_free (ctx.data_dir);
      g_free (ctx.results_dir);
      g_free (ctx.weights);
      g_free (ctx.input);
      g_object_unref (ctx.cancellable);
      return status;
    }

  g_printerr ("dassie-cli: %s “%s”\n\n", _("Unknown verb"), argv[1]);
  print_usage (stderr);
  return 2;
}
