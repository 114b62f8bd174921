/* dassie-test-pointer.h: real pointer and key events for GUI tests, through the X server's XTest
 * extension (under Xvfb)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* TRUE when @widget is on an X11 display with XTest, so events can be synthesised. */
gboolean dassie_test_pointer_available (GtkWidget       *widget);
/* Where a point of @widget lands: whole screen pixels, given back in @widget's coordinates (the
 * server only moves the pointer by whole pixels). */
void     dassie_test_pointer_snap      (GtkWidget       *widget,
                                        double          *x,
                                        double          *y);
void     dassie_test_pointer_move      (GtkWidget       *widget,
                                        double           x,
                                        double           y);
/* Presses (or releases) button @button, with Shift and Control held as @modifiers say. */
void     dassie_test_pointer_button    (guint            button,
                                        gboolean         press,
                                        GdkModifierType  modifiers);
/* A press at the first of @n points of @widget, a move through each of the others (letting each
 * arrive), and a release; @before_release runs while the button is still down. */
void     dassie_test_pointer_drag      (GtkWidget       *widget,
                                        const double    *xy,
                                        gsize            n,
                                        GdkModifierType  modifiers,
                                        GFunc            before_release,
                                        gpointer         user_data);
void     dassie_test_pointer_click     (GtkWidget       *widget,
                                        double           x,
                                        double           y);
/* Presses and releases the key @keyval (a GDK_KEY_…) with Shift and Control as @modifiers say. */
void     dassie_test_key_press         (guint            keyval,
                                        GdkModifierType  modifiers);

G_END_DECLS
