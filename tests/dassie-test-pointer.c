/* dassie-test-pointer.c: real pointer and key events for GUI tests, through the X server's XTest
 * extension (under Xvfb)
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "dassie-test-gui.h"
#include "dassie-test-pointer.h"

#ifdef DASSIE_TEST_HAVE_XTEST

#include <gdk/x11/gdkx.h>
#include <math.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>

static Display *
xdisplay (void)
{
  GdkDisplay *display = gdk_display_get_default ();

  return GDK_IS_X11_DISPLAY (display) ? gdk_x11_display_get_xdisplay (display) : NULL;
}

gboolean
dassie_test_pointer_available (GtkWidget *widget)
{
  Display *dpy = xdisplay ();
  int event_base, error_base, major, minor;

  return dpy != NULL && gtk_widget_get_mapped (widget) &&
         XTestQueryExtension (dpy, &event_base, &error_base, &major, &minor);
}

/* The screen position of point (x, y) of @widget. */
static void
to_screen (GtkWidget *widget,
           double     x,
           double     y,
           int       *sx,
           int       *sy)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GdkSurface *surface = gtk_native_get_surface (native);
  double nx, ny, tx, ty;
  Window child;

  g_assert_true (gtk_widget_translate_coordinates (widget, GTK_WIDGET (native), x, y, &nx, &ny));
  gtk_native_get_surface_transform (native, &tx, &ty);
  XTranslateCoordinates (xdisplay (), gdk_x11_surface_get_xid (surface), DefaultRootWindow (xdisplay ()),
                         (int) floor (nx + tx), (int) floor (ny + ty), sx, sy, &child);
}

void
dassie_test_pointer_snap (GtkWidget *widget,
                          double    *x,
                          double    *y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  double nx, ny, tx, ty;

  g_assert_true (gtk_widget_translate_coordinates (widget, GTK_WIDGET (native), *x, *y, &nx, &ny));
  gtk_native_get_surface_transform (native, &tx, &ty);
  *x += floor (nx + tx) - (nx + tx);
  *y += floor (ny + ty) - (ny + ty);
}

static void
flush_and_wait (void)
{
  XSync (xdisplay (), False);
  /* Long enough for the event to reach GTK and for a frame to pass, so no motion is merged. */
  dassie_test_settle (0.03);
}

void
dassie_test_pointer_move (GtkWidget *widget,
                          double     x,
                          double     y)
{
  int sx, sy;

  to_screen (widget, x, y, &sx, &sy);
  XTestFakeMotionEvent (xdisplay (), -1, sx, sy, CurrentTime);
  flush_and_wait ();
}

static void
set_modifier (KeySym   keysym,
              gboolean press)
{
  XTestFakeKeyEvent (xdisplay (), XKeysymToKeycode (xdisplay (), keysym), press, CurrentTime);
}

void
dassie_test_pointer_button (guint           button,
                            gboolean        press,
                            GdkModifierType modifiers)
{
  if (press && (modifiers & GDK_SHIFT_MASK))
    set_modifier (XK_Shift_L, TRUE);
  if (press && (modifiers & GDK_CONTROL_MASK))
    set_modifier (XK_Control_L, TRUE);
  if (press)
    flush_and_wait ();
  XTestFakeButtonEvent (xdisplay (), button, press, CurrentTime);
  flush_and_wait ();
  if (!press && (modifiers & GDK_CONTROL_MASK))
    set_modifier (XK_Control_L, FALSE);
  if (!press && (modifiers & GDK_SHIFT_MASK))
    set_modifier (XK_Shift_L, FALSE);
  if (!press)
    flush_and_wait ();
}

void
dassie_test_pointer_drag (GtkWidget       *widget,
                          const double    *xy,
                          gsize            n,
                          GdkModifierType  modifiers,
                          GFunc            before_release,
                          gpointer         user_data)
{
  g_assert_cmpuint (n, >=, 2);

  dassie_test_pointer_move (widget, xy[0], xy[1]);
  dassie_test_pointer_button (1, TRUE, modifiers);
  for (gsize i = 1; i < n; i++)
    dassie_test_pointer_move (widget, xy[2 * i], xy[2 * i + 1]);
  if (before_release != NULL)
    before_release (widget, user_data);
  dassie_test_pointer_button (1, FALSE, modifiers);
}

void
dassie_test_pointer_click (GtkWidget *widget,
                           double     x,
                           double     y)
{
  dassie_test_pointer_move (widget, x, y);
  dassie_test_pointer_button (1, TRUE, 0);
  dassie_test_pointer_button (1, FALSE, 0);
}

void
dassie_test_key_press (guint           keyval,
                       GdkModifierType modifiers)
{
  /* GDK's key values are X keysyms. */
  KeyCode code = XKeysymToKeycode (xdisplay (), keyval);

  g_assert_cmpuint (code, !=, 0);
  if (modifiers & GDK_SHIFT_MASK)
    set_modifier (XK_Shift_L, TRUE);
  if (modifiers & GDK_CONTROL_MASK)
    set_modifier (XK_Control_L, TRUE);
  XTestFakeKeyEvent (xdisplay (), code, True, CurrentTime);
  XTestFakeKeyEvent (xdisplay (), code, False, CurrentTime);
  if (modifiers & GDK_CONTROL_MASK)
    set_modifier (XK_Control_L, FALSE);
  if (modifiers & GDK_SHIFT_MASK)
    set_modifier (XK_Shift_L, FALSE);
  flush_and_wait ();
}

#else /* !DASSIE_TEST_HAVE_XTEST: tests skip what needs real events */

gboolean
dassie_test_pointer_available (GtkWidget *widget)
{
  return FALSE;
}

void
dassie_test_pointer_snap (GtkWidget *widget,
                          double    *x,
                          double    *y)
{
}

void
dassie_test_pointer_move (GtkWidget *widget,
                          double     x,
                          double     y)
{
  g_assert_not_reached ();
}

void
dassie_test_pointer_button (guint           button,
                            gboolean        press,
                            GdkModifierType modifiers)
{
  g_assert_not_reached ();
}

void
dassie_test_pointer_drag (GtkWidget       *widget,
                          const double    *xy,
                          gsize            n,
                          GdkModifierType  modifiers,
                          GFunc            before_release,
                          gpointer         user_data)
{
  g_assert_not_reached ();
}

void
dassie_test_pointer_click (GtkWidget *widget,
                           double     x,
                           double     y)
{
  g_assert_not_reached ();
}

void
dassie_test_key_press (guint           keyval,
                       GdkModifierType modifiers)
{
  g_assert_not_reached ();
}

#endif
