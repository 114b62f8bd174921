/* dassie-train-recipe.h: how a model is trained: presets, learning-rate schedules, augmentation, the
 * mean-image baseline
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "dassie-config.h"

G_BEGIN_DECLS

/* "recommended", "hyrax": NULL-terminated; the first is the default of the app, train and pipeline. */
const char * const *dassie_train_preset_names      (void);
/* The preset's settings for the Train page and --help: "Hyrax notebook", "Recommended" (translated). */
const char         *dassie_train_preset_title      (const char          *preset);
/* Sets the keys of @preset ("hyrax": the seed notebook's recipe, exactly the built-in defaults;
 * "recommended": the settings measured to learn on real cutouts) and train.preset. Keys set after
 * this (a config file, --set) override it. */
gboolean            dassie_config_apply_preset     (DassieConfig        *config,
                                                    const char          *preset,
                                                    GError             **error);
/* The preset whose keys @config has (after overrides, the one that still matches all of them), or
 * NULL when it matches none. */
const char         *dassie_config_match_preset     (const DassieConfig  *config);

typedef enum
{
  DASSIE_LR_CONSTANT,
  DASSIE_LR_COSINE,   /* lr_min + (lr − lr_min)·(1 + cos (π·epoch/epochs))/2, per epoch (CosineAnnealingLR) */
  DASSIE_LR_STEP,     /* lr·gamma^⌊epoch/step_size⌋ (StepLR) */
} DassieLrScheduleKind;

typedef struct
{
  DassieLrScheduleKind kind;
  double               lr;
  double               lr_min;
  guint                step_size;
  double               gamma;
  guint                n_epochs;
} DassieLrSchedule;

/* train.lr_schedule ("constant", "cosine", "step"), train.lr_min, train.lr_step_size, train.lr_gamma,
 * train.epochs and optimizer.lr. */
gboolean            dassie_lr_schedule_from_config (DassieLrSchedule    *schedule,
                                                    const DassieConfig  *config,
                                                    GError             **error);
/* The learning rate of @epoch (0-based). */
double              dassie_lr_schedule_at          (const DassieLrSchedule *schedule,
                                                    guint                   epoch);

/* Flips and 90° rotations (only flips when height ≠ width) of each of the @n samples of @batch
 * (n × channels × height × width), in place, one of the 8 (or 4) chosen per sample by a generator
 * seeded by @seed, @epoch and @batch_index: the same arguments give the same batch. */
void                dassie_augment_batch           (float               *batch,
                                                    guint                n,
                                                    guint                channels,
                                                    guint                height,
                                                    guint                width,
                                                    guint64              seed,
                                                    guint                epoch,
                                                    guint                batch_index);

/* The loss (mean squared error per value) of predicting the mean image of the @n_train samples of
 * @train for every one of the @n_validate samples of @validate, each @sample floats: what a model
 * that has learnt nothing about the individual objects reaches. NAN when @n_validate is 0. */
double              dassie_mean_image_loss         (const float         *train,
                                                    guint                n_train,
                                                    const float         *validate,
                                                    guint                n_validate,
                                                    gsize                sample);

G_END_DECLS
