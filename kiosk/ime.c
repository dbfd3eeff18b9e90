/* ime: composition reset through SDL, input-method mode through fcitx5's
 * D-Bus controller. */
#include "kiosk/ime.h"

#include <SDL.h>
#include <dbus/dbus.h>
#include <stdlib.h>

void ime_reset(int on)
{
    SDL_StopTextInput(); /* X11: SDL_IME_Reset, and SDL_TEXTINPUT/EDITING disabled */
    SDL_PumpEvents();    /* what the IME sends for the dropped composition is discarded now */
    SDL_FlushEvents(SDL_TEXTEDITING, SDL_TEXTINPUT);
    if (on) SDL_StartTextInput();
}

int ime_deactivate(void)
{
    /* no session bus: no fcitx5 (and libdbus must not autolaunch one) */
    const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS");
    if (!addr || !*addr) return -1;
    DBusError err;
    dbus_error_init(&err);
    DBusConnection *c = dbus_bus_get_private(DBUS_BUS_SESSION, &err);
    if (!c) {
        dbus_error_free(&err);
        return -1;
    }
    dbus_connection_set_exit_on_disconnect(c, FALSE);
    int rc = -1;
    DBusMessage *m = dbus_message_new_method_call("org.fcitx.Fcitx5", "/controller", "org.fcitx.Fcitx.Controller1", "Deactivate");
    if (m) {
        DBusMessage *r = dbus_connection_send_with_reply_and_block(c, m, 300, &err);
        if (r) {
            rc = 0;
            dbus_message_unref(r);
        }
        dbus_message_unref(m);
    }
    dbus_error_free(&err);
    dbus_connection_close(c);
    dbus_connection_unref(c);
    return rc;
}
