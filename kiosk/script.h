/* script: scripted mode (README "Scripted mode"). Reads a script and feeds its events
 * through the same app_event() path as real input, with a virtual clock that
 * moves only on `wait`; writes screenshots and checks visible text. */
#ifndef SCRIPT_H
#define SCRIPT_H

#include "kiosk/app.h"

/* Runs PATH against A. Returns 0 at the end of the script, or the 1-based
 * number of the failing line (its reason printed on stderr as FILE:LINE:). */
int script_run(app *a, const char *path, const char *shots_dir);


#endif
