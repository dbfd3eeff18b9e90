/* ime: what the kiosk asks of the input method beyond SDL's text input:
 * clearing an open composition (so it cannot leak into the next question
 * or field) and switching fcitx5 back to plain Latin input between
 * candidates (so nobody inherits the last candidate's pinyin mode). */
#ifndef IME_H
#define IME_H

/* Drops any open composition and closes the candidate window: SDL resets
 * the input context when text input stops (SDL_IME_Reset). Text input is
 * started again when ON is 1, left stopped when 0. Commits the IME might
 * still send for the dropped composition arrive while text input is
 * stopped, and SDL discards them. */
void ime_reset(int on);

/* Asks fcitx5 (org.fcitx.Fcitx5, /controller, Controller1.Deactivate on
 * the session bus) to turn the focused input context back to the keyboard
 * layout. Returns 0 when fcitx5 answered, -1 when it is not there (nothing
 * to reset then). Waits at most 300 ms. */
int ime_deactivate(void);

#endif
