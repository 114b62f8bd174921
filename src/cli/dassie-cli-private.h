/* dassie-cli-private.h: what the verbs of dassie-cli share
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "dassie-config.h"
#include "dassie-export.h"
#include "dassie-progress.h"

G_BEGIN_DECLS

/* The options every verb understands: -c FILE, --set key=value, --data, --results, --json, --quiet. */
typedef struct
{
  DassieConfig  *config;
  char          *config_file;
  char         **sets;
  char          *data_dir;
  char          *results_dir;
  char          *weights;
  char          *input;
  gboolean       json;
  gboolean       quiet;
  GCancellable  *cancellable;   /* cancelled by Ctrl+C */
} DassieCliContext;

typedef int (*DassieCliVerbFunc) (DassieCliContext *ctx,
                                  int               argc,
                                  char            **argv);

typedef struct
{
  const char        *name;
  const char        *summary;
  DassieCliVerbFunc  run;
} DassieCliVerb;

/* Adds the common options to @context and, after parsing, applies them to ctx->config. */
void      _dassie_cli_add_common_options (GOptionContext    *context,
                                          DassieCliContext  *ctx);
gboolean  _dassie_cli_apply_common       (DassieCliContext  *ctx,
                                          GError           **error);
/* Parses the verb's options; prints the error and returns FALSE on bad usage. */
gboolean  _dassie_cli_parse              (DassieCliContext  *ctx,
                                          GOptionContext    *context,
                                          int               *argc,
                                          char            ***argv);
/* Sets a number given as an option (--epochs, -k, ...) with the bounds of its key; prints the
 * error and returns FALSE when it is out of them. */
gboolean  _dassie_cli_set_number         (DassieCliContext  *ctx,
                                          const char        *key,
                                          double             value);
/* For train and pipeline: rebuilds ctx->config on @preset (NULL: train.preset of the config file and
 * --set, else "recommended"), with the config file and --set applied over it again. Call right after
 * _dassie_cli_parse. Prints the error and returns FALSE for an unknown preset. */
gboolean  _dassie_cli_apply_preset       (DassieCliContext  *ctx,
                                          const char        *preset);
/* Warns on standard error when @validation_loss (of the weights kept) has not beaten @baseline_loss,
 * the mean image's, and says what to try. */
void      _dassie_cli_warn_baseline      (DassieCliContext  *ctx,
                                          double             validation_loss,
                                          double             baseline_loss);
/* A progress printer for standard error (one updating line on a terminal, a line a second otherwise). */
void      _dassie_cli_progress           (const DassieProgress *progress,
                                          gpointer              user_data);
void      _dassie_cli_progress_done      (DassieCliContext  *ctx);
int       _dassie_cli_fail               (GError            *error);
/* On standard error: how many files of the data set of data_request.@group were skipped, and the
 * "dassie-cli scan" command that lists why. Says nothing when @n_skipped is 0. */
void      _dassie_cli_say_skipped        (DassieCliContext  *ctx,
                                          const char        *group,
                                          guint              n_skipped);
/* The run folder's path as the last line of standard output, or a JSON summary with --json. */
/* The data folder a result (a file in a run folder) came from: --data, else the run's own
 * configuration, else ours; NULL when none of them names a folder that exists. */
char     *_dassie_cli_data_location      (DassieCliContext  *ctx,
                                          const char        *result_path);
/* The --format (or the output's name) and --top of a verb that writes a list (-1: no --top); prints
 * what is wrong and returns FALSE. */
gboolean  _dassie_cli_list_options       (const char        *format_arg,
                                          const char        *output,
                                          int                top,
                                          DassieExportFormat *format);
void      _dassie_cli_print_result       (DassieCliContext  *ctx,
                                          const char        *run_dir,
                                          JsonBuilder       *summary);

int       _dassie_cli_config             (DassieCliContext *ctx, int argc, char **argv);
int       _dassie_cli_download           (DassieCliContext *ctx, int argc, char **argv);
int       _dassie_cli_make_demo          (DassieCliContext *ctx, int argc, char **argv);
int       _dassie_cli_pipeline           (DassieCliContext *ctx, int argc, char **argv);
int       _dassie_cli_scan               (DassieCliContext *ctx, int argc, char **argv);
int       _dassie_cli_train              (DassieCliContext *ctx, int argc, char **argv);
int       _dassie_cli_infer              (DassieCliContext *ctx, int argc, char **argv);
int       _dassie_cli_scores             (DassieCliContext *ctx, int argc, char **argv);
int       _dassie_cli_search             (DassieCliContext *ctx, int argc, char **argv);
int       _dassie_cli_umap               (DassieCliContext *ctx, int argc, char **argv);
int       _dassie_cli_export             (DassieCliContext *ctx, int argc, char **argv);
int       _dassie_cli_label              (DassieCliContext *ctx, int argc, char **argv);
int       _dassie_cli_rank               (DassieCliContext *ctx, int argc, char **argv);

/* --input, else the newest complete scores run under general.results_dir (dassie-cli-rank.c). */
char     *_dassie_cli_find_scores        (DassieCliContext  *ctx,
                                          GError           **error);
/* On standard error: the ids of @path that are not in the data set, the first few named. */
void      _dassie_cli_say_unknown_ids    (DassieCliContext    *ctx,
                                          const char          *path,
                                          const char * const  *unknown);

G_END_DECLS
