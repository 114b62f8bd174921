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

G_END_DECLS
