/* dassie-loss-chart.h: the live loss curve of a training run: per batch and per epoch
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DASSIE_TYPE_LOSS_CHART (dassie_loss_chart_get_type ())

G_DECLARE_FINAL_TYPE (DassieLossChart, dassie_loss_chart, DASSIE, LOSS_CHART, GtkWidget)

GtkWidget *dassie_loss_chart_new                 (void);
void       dassie_loss_chart_clear               (DassieLossChart *self);
/* Replaces the curves. x values are in epochs (1.25: a quarter into epoch 2); the training loss is
 * usually one point per batch, the validation loss one per epoch. The arrays are copied. */
void       dassie_loss_chart_set_data            (DassieLossChart *self,
                                                  const double    *train_epoch,
                                                  const double    *train_loss,
                                                  gsize            n_train,
                                                  const double    *val_epoch,
                                                  const double    *val_loss,
                                                  gsize            n_val);
/* The validation loss of predicting the mean training image, a dashed line; NAN for none. */
void       dassie_loss_chart_set_baseline        (DassieLossChart *self,
                                                  double           loss);
double     dassie_loss_chart_get_baseline        (DassieLossChart *self);
gsize      dassie_loss_chart_get_n_train         (DassieLossChart *self);
gsize      dassie_loss_chart_get_n_validation    (DassieLossChart *self);
/* Shown in the middle while there is no data. */
void       dassie_loss_chart_set_placeholder     (DassieLossChart *self,
                                                  const char      *text);

G_END_DECLS
