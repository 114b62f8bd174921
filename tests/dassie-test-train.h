/* dassie-test-train.h: what the training tests share: a small, fast model configuration
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "dassie-config.h"

G_BEGIN_DECLS

/* A configuration that trains a tiny model (4 base channels, 8 latent dimensions, Adam 3e-3, batches
 * of 8) on @data_dir for @epochs epochs on @threads threads, with its runs under @results. */
DassieConfig *dassie_test_small_config (const char *data_dir,
                                        const char *results,
                                        int         threads,
                                        int         epochs);
/* A demo data set of @n_objects cutouts of @size × @size pixels, drawn with @seed, in @dir. */
void          dassie_test_make_demo    (const char *dir,
                                        guint       n_objects,
                                        guint       size,
                                        guint64     seed);
/* A fresh temporary folder named after @prefix ("dassie-train"). */
char         *dassie_test_make_tmp_dir (const char *prefix);

G_END_DECLS
