// CCurses: the small part of ncursesw that streamtop's UI uses, with functions for what Swift
// cannot import (macros such as getmaxyx, COLOR_PAIR, A_*, KEY_F(n)) and a wide-character build.
#ifndef CCURSES_H
#define CCURSES_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <ncursesw/curses.h>
#include <locale.h>
#include <wchar.h>

// Attributes (the A_* macros).
unsigned int ccurses_attr_bold(void);
unsigned int ccurses_attr_reverse(void);
unsigned int ccurses_attr_underline(void);
unsigned int ccurses_attr_dim(void);

// Key codes that are macros.
int ccurses_key_f(int n);
int ccurses_key_resize(void);

/// Initializes the terminal for the monitor: locale already set by the caller; cbreak, no echo,
/// keypad, no cursor, a short ESC delay (25 ms, unless the ESCDELAY environment variable sets
/// one). Returns 0 on success.
int ccurses_start(void);
/// Whether the terminal `term` can show the monitor, from its terminfo entry alone (the
/// terminal itself is not touched): 0 yes, 1 no such entry (or a generic type such as
/// `dumb` marked so), 2 no terminfo database at all, 3 it cannot address the cursor (no `cup`).
int ccurses_terminal_check(const char *term);
/// Turns mouse reporting on (left button presses and the wheel) or off, after start.
/// Returns whether the terminal reports the mouse.
int ccurses_mouse(int enable);
/// The mouse event behind a KEY_MOUSE just read: 1 left button pressed, 2 wheel up, 3 wheel
/// down, 0 anything else (releases, other buttons); its cell in `row`, `column`.
int ccurses_mouse_event(int *row, int *column);
/// Restores the terminal (safe to call twice, and from a fatal path).
void ccurses_stop(void);
/// Whether curses is active (ccurses_start succeeded and ccurses_stop not yet called).
int ccurses_active(void);

void ccurses_size(int *rows, int *columns);

/// Colour capability: 256, 8, or 0 (monochrome) after start.
int ccurses_colors(void);
/// Defines pair `pair` (1...) from colours, -1 meaning the terminal's default.
int ccurses_init_pair(int pair, int foreground, int background);

/// Writes `count` wide characters at (row, column) with attributes `attributes` and colour
/// pair `pair` (0: default). Combining characters attach to the character before them.
void ccurses_put(int row, int column, const wchar_t *text, int count, unsigned int attributes, int pair);
/// Whether the locale's character set is UTF-8 (after setlocale).
int ccurses_locale_is_utf8(void);
/// setlocale(LC_ALL, "") — the user's locale, as ncurses needs before initscr.
void ccurses_use_environment_locale(void);
/// Columns a character takes in the current locale (wcwidth): -1 when not printable.
int ccurses_wcwidth(unsigned int character);
/// Clears the virtual screen (werase) without forcing a full repaint.
void ccurses_erase(void);
/// wnoutrefresh + doupdate: one update of the physical screen.
void ccurses_flush(void);
void ccurses_beep(void);
/// Reads one key within `timeout_ms` (-1: none arrived). `is_key` is set for function keys
/// (KEY_*), otherwise the value is a character.
int ccurses_read(int timeout_ms, int *is_key);

#endif
