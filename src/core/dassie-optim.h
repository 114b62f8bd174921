/* dassie-optim.h: SGD with momentum and Adam, with PyTorch's update rules, on one flat parameter array
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "dassie-config.h"

G_BEGIN_DECLS

typedef enum
{
  DASSIE_OPTIMIZER_SGD,
  DASSIE_OPTIMIZER_ADAM,
} DassieOptimizerKind;

typedef struct
{
  DassieOptimizerKind kind;
  double              lr;
  double              momentum;      /* SGD */
  double              beta1;         /* Adam */
  double              beta2;
  double              eps;
  double              weight_decay;  /* both: L2 added to the gradient, as torch.optim does */
} DassieOptimizerParams;

typedef struct _DassieOptimizer DassieOptimizer;

/* optimizer.{name,lr,momentum,beta1,beta2,eps,weight_decay}; name is "SGD" or "Adam" (any case). */
gboolean          dassie_optimizer_params_from_config (DassieOptimizerParams        *params,
                                                       const DassieConfig           *config,
                                                       GError                      **error);
const char       *dassie_optimizer_kind_to_string     (DassieOptimizerKind           kind);
/* "SGD", "Adam": NULL-terminated, in DassieOptimizerKind order. */
const char * const *dassie_optimizer_names            (void);

DassieOptimizer  *dassie_optimizer_new                (const DassieOptimizerParams  *params,
                                                       gsize                         n_params);
void              dassie_optimizer_free               (DassieOptimizer              *self);
const DassieOptimizerParams *
                  dassie_optimizer_get_params         (DassieOptimizer              *self);
/* One step: updates @params (n_params floats) from @grad. */
void              dassie_optimizer_step               (DassieOptimizer              *self,
                                                       float                        *params,
                                                       const float                  *grad);
/* The learning rate of the steps to come (a schedule changes it between epochs). */
void              dassie_optimizer_set_lr             (DassieOptimizer              *self,
                                                       double                        lr);
guint64           dassie_optimizer_get_step           (DassieOptimizer              *self);
void              dassie_optimizer_set_step           (DassieOptimizer              *self,
                                                       guint64                       step);
/* The state buffers, each n_params floats: "momentum_buffer" (SGD), or "exp_avg" and "exp_avg_sq"
 * (Adam), named as torch.optim names them, for checkpoints. */
guint             dassie_optimizer_get_n_states       (DassieOptimizer              *self);
float            *dassie_optimizer_get_state          (DassieOptimizer              *self,
                                                       guint                         index,
                                                       const char                  **name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieOptimizer, dassie_optimizer_free)

G_END_DECLS
