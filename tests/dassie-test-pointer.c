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

/* What the window under test has been handed, seen before any of its widgets (the capture phase):
 * each synthesised event is waited for until GTK has dispatched it, however loaded the machine is, so
 * that two motions are never merged into one and a key's effect is there when the test looks. */
static struct
{
  GtkWidget *native;
  guint64    n_presses;   /* button and key presses and releases */
  gboolean   moved;
  double     x, y;        /* the last pointer position, in the surface's coordinates */
} seen;

static gboolean
on_event (GtkEventControllerLegacy *controller,
          GdkEvent                 *event,
          gpointer                  user_data)
{
  switch ((int) gdk_event_get_event_type (event))
    {
    case GDK_MOTION_NOTIFY:
    case GDK_ENTER_NOTIFY:
      seen.moved = gdk_event_get_position (event, &seen.x, &seen.y);
      break;
    case GDK_BUTTON_PRESS:
    case GDK_BUTTON_RELEASE:
    case GDK_KEY_PRESS:
    case GDK_KEY_RELEASE:
      seen.n_presses++;
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

static void
watch (GtkWidget *widget)
{
  GtkWidget *native = GTK_WIDGET (gtk_widget_get_native (widget));
  GtkEventController *controller;

  if (native == seen.native)
    return;
  seen.native = native;
  seen.moved = FALSE;
  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "event", G_CALLBACK (on_event), NULL);
  gtk_widget_add_controller (native, controller);
}

typedef struct
{
  guint64 n_presses;
  double  x, y;           /* a motion to wait for, or NAN */
} Expected;

static gboolean
arrived (gpointer user_data)
{
  const Expected *expected = user_data;

  if (seen.n_presses < expected->n_presses)
    return FALSE;
  return isnan (expected->x) || (seen.moved && fabs (seen.x - expected->x) < 0.5 && fabs (seen.y - expected->y) < 0.5);
}

/* Waits for what was just sent: @n_presses more presses or releases, or a motion to (@x, @y). Events
 * that never come (a key the window has no focus for) give up after two seconds. */
static void
flush_and_wait_for (guint64 n_presses,
                    double  x,
                    double  y)
{
  Expected expected = { seen.n_presses + n_presses, x, y };

  XSync (xdisplay (), False);
  if (seen.native != NULL)
    dassie_test_wait_for (arrived, &expected, 2);
  /* And a frame more, so that what the event started (a redraw, a pick) has run. */
  dassie_test_settle (0.03);
}

static void
flush_and_wait (void)
{
  flush_and_wait_for (0, NAN, NAN);
}

void
dassie_test_pointer_move (GtkWidget *widget,
                          double     x,
                          double     y)
{
  GtkNative *native = gtk_widget_get_native (widget);
  double nx, ny, tx, ty, surface_x, surface_y;
  int sx, sy;

  watch (widget);
  g_assert_true (gtk_widget_translate_coordinates (widget, GTK_WIDGET (native), x, y, &nx, &ny));
  gtk_native_get_surface_transform (native, &tx, &ty);
  surface_x = floor (nx + tx);
  surface_y = floor (ny + ty);
  to_screen (widget, x, y, &sx, &sy);
  XTestFakeMotionEvent (xdisplay (), -1, sx, sy, CurrentTime);
  /* A move onto where the pointer already is makes no event. */
  if (seen.moved && fabs (seen.x - surface_x) < 0.5 && fabs (seen.y - surface_y) < 0.5)
    flush_and_wait ();
  else
    flush_and_wait_for (0, surface_x, surface_y);
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
  guint64 n_modifiers = (modifiers & GDK_SHIFT_MASK ? 1 : 0) + (modifiers & GDK_CONTROL_MASK ? 1 : 0);

  if (press && (modifiers & GDK_SHIFT_MASK))
    set_modifier (XK_Shift_L, TRUE);
  if (press && (modifiers & GDK_CONTROL_MASK))
    set_modifier (XK_Control_L, TRUE);
  if (press)
    flush_and_wait_for (n_modifiers, NAN, NAN);
  XTestFakeButtonEvent (xdisplay (), button, press, CurrentTime);
  flush_and_wait_for (1, NAN, NAN);
  if (!press && (modifiers & GDK_CONTROL_MASK))
    set_modifier (XK_Control_L, FALSE);
  if (!press && (modifiers & GDK_SHIFT_MASK))
    set_modifier (XK_Shift_L, FALSE);
  if (!press)
    flush_and_wait_for (n_modifiers, NAN, NAN);
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
  flush_and_wait_for (2 + 2 * ((modifiers & GDK_SHIFT_MASK ? 1 : 0) + (modifiers & GDK_CONTROL_MASK ? 1 : 0)),
                      NAN, NAN);
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
