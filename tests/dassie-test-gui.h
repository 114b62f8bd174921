/* dassie-test-gui.h: what the GUI tests share: waiting on the main loop and saving screenshots
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef gboolean (*DassieTestCondition) (gpointer user_data);

/* Runs the main loop until @condition holds or @timeout_seconds pass; returns whether it holds. */
gboolean dassie_test_wait_for        (DassieTestCondition  condition,
                                      gpointer             user_data,
                                      double               timeout_seconds);
/* Lets the main loop draw a few frames. */
void     dassie_test_settle          (double               seconds);
/* Renders @widget as it is on screen into <DASSIE_SCREENSHOT_DIR>/<name>.png for reviewers. */
void     dassie_test_save_screenshot (GtkWidget           *widget,
                                      const char          *name);

typedef gboolean (*DassieTestWidgetMatch) (GtkWidget *widget,
                                           gpointer   user_data);

/* Every widget of @type under @root (itself included), depth first, for which @match holds
 * (every one when @match is NULL). */
GPtrArray *dassie_test_find_widgets  (GtkWidget           *root,
                                      GType                type,
                                      DassieTestWidgetMatch match,
                                      gpointer             user_data);
/* The first of them, or NULL. */
GtkWidget *dassie_test_find_widget   (GtkWidget           *root,
                                      GType                type,
                                      DassieTestWidgetMatch match,
                                      gpointer             user_data);
/* The toplevel window of @type that is shown, or NULL. */
GtkWindow *dassie_test_find_toplevel (GType                type);
/* Registers @app as Dassie starts it (actions, accelerators, icons, help overlay), activates it,
 * and returns its window once it is on screen. */
GtkWindow *dassie_test_start_app     (GApplication        *app);

G_END_DECLS
