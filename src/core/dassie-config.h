/* dassie-config.h: built-in defaults plus overrides, on Hyrax's dotted key names
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define DASSIE_CONFIG_ERROR (dassie_config_error_quark ())

typedef enum
{
  DASSIE_CONFIG_ERROR_UNKNOWN_KEY,
  DASSIE_CONFIG_ERROR_WRONG_TYPE,
  DASSIE_CONFIG_ERROR_INVALID_VALUE,
  DASSIE_CONFIG_ERROR_PARSE,
} DassieConfigError;

typedef struct _DassieConfig DassieConfig;

/* One entry of a data_request group, e.g. data_request.train. */
typedef struct
{
  char   *name;              /* the entry's name inside the group ("data" in the seed notebook) */
  char   *dataset_class;     /* "HSCDataSet" */
  char   *data_location;     /* a folder */
  char   *primary_id_field;  /* "object_id" */
  double  split_fraction;    /* 0 .. 1, or < 0 when not given */
} DassieDataRequest;

GQuark        dassie_config_error_quark      (void);

DassieConfig *dassie_config_new              (void);
DassieConfig *dassie_config_copy             (const DassieConfig  *self);
void          dassie_config_free             (DassieConfig        *self);

gboolean      dassie_config_load_file        (DassieConfig        *self,
                                              const char          *path,
                                              GError             **error);
gboolean      dassie_config_merge_json       (DassieConfig        *self,
                                              const char          *json,
                                              GError             **error);
gboolean      dassie_config_save_file        (const DassieConfig  *self,
                                              const char          *path,
                                              GError             **error);
char         *dassie_config_to_json          (const DassieConfig  *self);

char         *dassie_config_get_as_string    (const DassieConfig  *self,
                                              const char          *key);
gboolean      dassie_config_set_from_string  (DassieConfig        *self,
                                              const char          *key,
                                              const char          *value,
                                              GError             **error);
gboolean      dassie_config_set_assignment   (DassieConfig        *self,
                                              const char          *key_equals_value,
                                              GError             **error);

gint64        dassie_config_get_int          (const DassieConfig  *self,
                                              const char          *key);
double        dassie_config_get_double       (const DassieConfig  *self,
                                              const char          *key);
gboolean      dassie_config_get_boolean      (const DassieConfig  *self,
                                              const char          *key);
const char   *dassie_config_get_string       (const DassieConfig  *self,
                                              const char          *key);
JsonNode     *dassie_config_get_node         (const DassieConfig  *self,
                                              const char          *key);

void          dassie_config_set_int          (DassieConfig        *self,
                                              const char          *key,
                                              gint64               value);
void          dassie_config_set_double       (DassieConfig        *self,
                                              const char          *key,
                                              double               value);
void          dassie_config_set_boolean      (DassieConfig        *self,
                                              const char          *key,
                                              gboolean             value);
void          dassie_config_set_string       (DassieConfig        *self,
                                              const char          *key,
                                              const char          *value);

/* data_request.<group>: "train", "validate" or "infer". Returns the entries (DassieDataRequest*). */
GPtrArray    *dassie_config_get_data_requests (const DassieConfig *self,
                                               const char         *group);
/* Sets data_location of every group to @dir (what --data does). */
void          dassie_config_set_data_location (DassieConfig       *self,
                                               const char         *group,
                                               const char         *dir);
void          dassie_data_request_free        (DassieDataRequest  *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieConfig, dassie_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DassieDataRequest, dassie_data_request_free)

G_END_DECLS
