/* dassie-optim.c: SGD with momentum and Adam, with PyTorch's update rules, on one flat parameter array
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "dassie-optim.h"

struct _DassieOptimizer
{
  DassieOptimizerParams params;
  gsize n_params;
  guint64 step;
  float *state[2];
};

/* As torch.optim spells them, in DassieOptimizerKind order. */
static const char * const optimizer_names[] = {
  [DASSIE_OPTIMIZER_SGD] = "SGD",
  [DASSIE_OPTIMIZER_ADAM] = "Adam",
  NULL
};

gboolean
dassie_optimizer_params_from_config (DassieOptimizerParams  *params,
                                     const DassieConfig     *config,
                                     GError                **error)
{
  const char *name;
  gboolean known = FALSE;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  name = dassie_config_get_string (config, "optimizer.name");
  for (guint i = 0; name != NULL && !known && optimizer_names[i] != NULL; i++)
    if (g_ascii_strcasecmp (name, optimizer_names[i]) == 0)
      {
        params->kind = i;
        known = TRUE;
      }
  if (!known)
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("Unknown optimizer “%s” (optimizer.name): use SGD or Adam."), name ? name : "");
      return FALSE;
    }

  params->lr = dassie_config_get_double (config, "optimizer.lr");
  params->momentum = dassie_config_get_double (config, "optimizer.momentum");
  params->beta1 = dassie_config_get_double (config, "optimizer.beta1");
  params->beta2 = dassie_config_get_double (config, "optimizer.beta2");
  params->eps = dassie_config_get_double (config, "optimizer.eps");
  params->weight_decay = dassie_config_get_double (config, "optimizer.weight_decay");

  if (!(params->lr > 0) || !(params->momentum >= 0 && params->momentum < 1) ||
      !(params->beta1 >= 0 && params->beta1 < 1) || !(params->beta2 >= 0 && params->beta2 < 1) ||
      !(params->eps >= 0) || !(params->weight_decay >= 0))
    {
      g_set_error (error, DASSIE_CONFIG_ERROR, DASSIE_CONFIG_ERROR_INVALID_VALUE,
                   _("The optimizer settings are out of range: lr must be positive, momentum, beta1 "
                     "and beta2 in [0, 1), eps and weight_decay not negative."));
      return FALSE;
    }
  return TRUE;
}

const char *
dassie_optimizer_kind_to_string (DassieOptimizerKind kind)
{
  return optimizer_names[kind == DASSIE_OPTIMIZER_ADAM ? DASSIE_OPTIMIZER_ADAM : DASSIE_OPTIMIZER_SGD];
}

const char * const *
dassie_optimizer_names (void)
{
  return optimizer_names;
}

DassieOptimizer *
dassie_optimizer_new (const DassieOptimizerParams *params,
                      gsize                        n_params)
{
  DassieOptimizer *self;

  g_return_val_if_fail (params != NULL, NULL);

  self = g_new0 (DassieOptimizer, 1);
  self->params = *params;
  self->n_params = n_params;
  for (guint i = 0; i < dassie_optimizer_get_n_states (self); i++)
    self->state[i] = g_new0 (float, MAX (n_params, 1));
  return self;
}

void
dassie_optimizer_free (DassieOptimizer *self)
{
  if (self == NULL)
    return;
  g_free (self->state[0]);
  g_free (self->state[1]);
  g_free (self);
}

const DassieOptimizerParams *
dassie_optimizer_get_params (DassieOptimizer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->params;
}

void
dassie_optimizer_set_lr (DassieOptimizer *self,
                         double           lr)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (lr > 0);
  self->params.lr = lr;
}

/* torch.optim.SGD: buf = g on the first step, then buf = momentum·buf + g; p −= lr·buf. */
static void
sgd_step (DassieOptimizer *self,
          float           *params,
          const float     *grad)
{
  float lr = (float) self->params.lr;
  float momentum = (float) self->params.momentum;
  float wd = (float) self->params.weight_decay;
  float *buf = self->state[0];
  gboolean first = self->step == 0;

  for (gsize i = 0; i < self->n_params; i++)
    {
      float g = wd != 0 ? grad[i] + wd * params[i] : grad[i];

      if (momentum != 0)
        {
          buf[i] = first ? g : momentum * buf[i] + g;
          g = buf[i];
        }
      params[i] -= lr * g;
    }
}

/* torch.optim.Adam (amsgrad off): m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g²,
 * p −= lr/(1−β1^t) · m / (√v / √(1−β2^t) + eps); the bias corrections are computed in double. */
static void
adam_step (DassieOptimizer *self,
           float           *params,
           const float     *grad)
{
  double t = (double) (self->step + 1);
  float beta1 = (float) self->params.beta1;
  float beta2 = (float) self->params.beta2;
  float eps = (float) self->params.eps;
  float wd = (float) self->params.weight_decay;
  float step_size = (float) (self->params.lr / (1.0 - pow (self->params.beta1, t)));
  float correction2_sqrt = (float) sqrt (1.0 - pow (self->params.beta2, t));
  float *m = self->state[0];
  float *v = self->state[1];

  for (gsize i = 0; i < self->n_params; i++)
    {
      float g = wd != 0 ? grad[i] + wd * params[i] : grad[i];
      float denom;

      m[i] = m[i] * beta1 + (1.0f - beta1) * g;
      v[i] = v[i] * beta2 + (1.0f - beta2) * g * g;
      denom = sqrtf (v[i]) / correction2_sqrt + eps;
      params[i] -= step_size * (m[i] / denom);
    }
}

void
dassie_optimizer_step (DassieOptimizer *self,
                       float           *params,
                       const float     *grad)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (params != NULL && grad != NULL);

  if (self->params.kind == DASSIE_OPTIMIZER_ADAM)
    adam_step (self, params, grad);
  else
    sgd_step (self, params, grad);
  self->step++;
}

guint64
dassie_optimizer_get_step (DassieOptimizer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->step;
}

void
dassie_optimizer_set_step (DassieOptimizer *self,
                           guint64          step)
{
  g_return_if_fail (self != NULL);
  self->step = step;
}

guint
dassie_optimizer_get_n_states (DassieOptimizer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  if (self->params.kind == DASSIE_OPTIMIZER_ADAM)
    return 2;
  return self->params.momentum != 0 ? 1 : 0;
}

float *
dassie_optimizer_get_state (DassieOptimizer  *self,
                            guint             index,
                            const char      **name)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < dassie_optimizer_get_n_states (self), NULL);

  if (name != NULL)
    {
      if (self->params.kind == DASSIE_OPTIMIZER_ADAM)
        *name = index == 0 ? "exp_avg" : "exp_avg_sq";
      else
        *name = "momentum_buffer";
    }
  return self->state[index];
}
