/* dassie-test-pages.h: what the Train and Infer page tests share: a private home, a small data set,
 * a window on it, and waiting for jobs
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "dassie-window.h"

G_BEGIN_DECLS

/* gtk_test_init and adw_init, with XDG_DATA_HOME in a new temporary folder (so the default results
 * and demo folders are not the user's), and a demo data set of 48 objects of 32 × 32 pixels. */
void          dassie_test_pages_init      (int          *argc,
                                           char       ***argv);
/* Removes the temporary home. */
void          dassie_test_pages_cleanup   (void);
const char   *dassie_test_pages_home      (void);
const char   *dassie_test_pages_small_data (void);
/* Another demo data set under the temporary home, made on first use. */
char         *dassie_test_pages_make_data  (const char   *name,
                                            guint         n_objects,
                                            guint         size);

/* A 1280 × 860 window with @data loaded (or failed), its results in a new folder (unless the settings
 * name one), and a small model
 * (8 base channels, latent 16) trained for @epochs epochs. */
DassieWindow *dassie_test_pages_new_window (const char  *data,
                                            guint        epochs);

gboolean      dassie_test_training_over   (gpointer      window);
gboolean      dassie_test_inference_over  (gpointer      window);
gboolean      dassie_test_runs_listed     (gpointer      run_list);
/* The Explore page is ready and not busy; the inspector is not busy. */
gboolean      dassie_test_explore_settled (gpointer      explore_page);
gboolean      dassie_test_inspector_settled (gpointer    inspector);

/* dassie_explore_page_export_async's result, for dassie_test_wait_for (dassie_test_export_done, …). */
typedef struct
{
  gboolean done;
  gssize   n;
  GError  *error;
} DassieTestExportWait;

void          dassie_test_on_exported     (GObject      *page,
                                           GAsyncResult *result,
                                           gpointer      wait);
gboolean      dassie_test_export_done     (gpointer      wait);

G_END_DECLS
