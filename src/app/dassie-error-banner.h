/* dassie-error-banner.h: a banner at the top of a page saying what went wrong and what to do
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DASSIE_TYPE_ERROR_BANNER (dassie_error_banner_get_type ())

G_DECLARE_FINAL_TYPE (DassieErrorBanner, dassie_error_banner, DASSIE, ERROR_BANNER, GtkWidget)

typedef enum
{
  DASSIE_BANNER_ERROR,
  DASSIE_BANNER_INFO,
} DassieBannerKind;

/* Shows @title and @message; when @button_label is set, a button activates @action_name (with
 * @target, which may be NULL, floating references are sunk). */
void        dassie_error_banner_show        (DassieErrorBanner *self,
                                             DassieBannerKind   kind,
                                             const char        *title,
                                             const char        *message,
                                             const char        *button_label,
                                             const char        *action_name,
                                             GVariant          *target);
/* Shows @error with advice that fits its kind: a data set that cannot be read offers to open another
 * folder, a full disk or an unwritable results folder offers to choose another, and so on. */
void        dassie_error_banner_show_error  (DassieErrorBanner *self,
                                             const char        *title,
                                             const GError      *error);
void        dassie_error_banner_dismiss     (DassieErrorBanner *self);
/* What to do about @error, or NULL when there is nothing to add to its message; the button and
 * action (e.g. "win.open-folder") that help, or NULLs. */
const char *dassie_error_advice             (const GError      *error,
                                             const char       **button_label,
                                             const char       **action_name);
gboolean    dassie_error_banner_is_shown    (DassieErrorBanner *self);
DassieBannerKind
            dassie_error_banner_get_kind    (DassieErrorBanner *self);
const char *dassie_error_banner_get_title   (DassieErrorBanner *self);
/* The message with its advice, as shown. */
const char *dassie_error_banner_get_message (DassieErrorBanner *self);

G_END_DECLS
