// wcwidth is an X/Open function: declared only when asked for.
#define _XOPEN_SOURCE 700
#include "CCurses.h"
#include <string.h>
#include <langinfo.h>
#include <stdlib.h>

static int started = 0;

unsigned int ccurses_attr_bold(void) { return A_BOLD; }
unsigned int ccurses_attr_reverse(void) { return A_REVERSE; }
unsigned int ccurses_attr_underline(void) { return A_UNDERLINE; }
unsigned int ccurses_attr_dim(void) { return A_DIM; }

int ccurses_key_f(int n) { return KEY_F(n); }
int ccurses_key_resize(void) { return KEY_RESIZE; }

int ccurses_start(void) {
    if (started) return 0;
    if (initscr() == NULL) return -1;
    started = 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    // An ESC alone is Esc after 25 ms; what the person set in ESCDELAY (a slow link) wins.
    if (getenv("ESCDELAY") == NULL) set_escdelay(25);
    if (has_colors()) {
        start_color();
        use_default_colors();
    }
    return 0;
}

void ccurses_stop(void) {
    if (!started) return;
    started = 0;
    curs_set(1);
    endwin();
}

int ccurses_active(void) { return started; }

void ccurses_size(int *rows, int *columns) {
    int y, x;
    getmaxyx(stdscr, y, x);
    *rows = y;
    *columns = x;
}

int ccurses_colors(void) {
    if (!has_colors()) return 0;
    return COLORS >= 256 ? 256 : (COLORS >= 8 ? 8 : 0);
}

int ccurses_init_pair(int pair, int foreground, int background) {
    return init_pair((short)pair, (short)foreground, (short)background);
}

void ccurses_put(int row, int column, const wchar_t *text, int count, unsigned int attributes, int pair) {
    wattr_set(stdscr, (attr_t)attributes, (short)pair, NULL);
    mvwaddnwstr(stdscr, row, column, text, count);
    wattr_set(stdscr, A_NORMAL, 0, NULL);
}

int ccurses_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

void ccurses_use_environment_locale(void) { setlocale(LC_ALL, ""); }

int ccurses_wcwidth(unsigned int character) { return wcwidth((wchar_t)character); }

void ccurses_erase(void) { werase(stdscr); }

void ccurses_flush(void) {
    wnoutrefresh(stdscr);
    doupdate();
}

void ccurses_beep(void) { beep(); }

int ccurses_read(int timeout_ms, int *is_key) {
    wint_t value;
    timeout(timeout_ms);
    int result = get_wch(&value);
    if (result == ERR) return -1;
    *is_key = result == KEY_CODE_YES;
    return (int)value;
}

int ccurses_mouse(int enable) {
    mmask_t wanted = enable ? (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED) : 0;
    // Every press is told at once, not held back to tell a click from a double click.
    mouseinterval(0);
    return mousemask(wanted, NULL) != 0;
}

int ccurses_mouse_event(int *row, int *column) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    *row = event.y;
    *column = event.x;
    if (event.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) return 1;
    if (event.bstate & BUTTON4_PRESSED) return 2;
    if (event.bstate & BUTTON5_PRESSED) return 3;
    return 0;
}
