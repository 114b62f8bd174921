#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one GUI test on a virtual screen of its own. "xvfb-run -a" alone can pick the same display for
# two test runs that start at once (two build folders tested side by side); starting the search at
# a number drawn from the process id keeps concurrent runs apart. Each test has a private session bus
# too (dbus-run-session), so it neither needs the user's bus nor meets another test's application.
exec dbus-run-session -- xvfb-run -a -n $(( 100 + $$ % 800 )) -s "-screen 0 1400x900x24" "$@"
