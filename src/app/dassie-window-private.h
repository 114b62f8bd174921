/* dassie-window-private.h: the main window's struct and what its two source files share
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "dassie-window.h"

G_BEGIN_DECLS

/* Where "Run Everything" stands. */
typedef enum
{
  RUN_ALL_IDLE,
  RUN_ALL_WAIT_DATA,
  RUN_ALL_TRAIN,
  RUN_ALL_INFER,
} RunAllStage;

struct _DassieWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwViewStack         *stack;
  DassieDataPage       *data_page;
  DassieTrainPage      *train_page;
  DassieInferPage      *infer_page;
  DassieExplorePage    *explore_page;
  AdwViewStackPage     *explore_stack_page;
  GtkRevealer          *job_revealer;
  GtkLabel             *job_title;
  GtkProgressBar       *job_progress;
  GtkLabel             *job_eta;

  GSettings            *settings;
  DassieSession        *session;
  RunAllStage           run_all;
  DassieJob            *job;
  GSignalGroup         *job_signals;
  gboolean              close_confirmed;
};

/* dassie-window-actions.c */
void _dassie_window_class_actions_init (GtkWidgetClass *widget_class);
void _dassie_window_actions_init       (DassieWindow   *self);
gboolean _dassie_window_says_busy       (DassieWindow   *self);

G_END_DECLS
