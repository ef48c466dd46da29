// term.h defines a macro for every terminfo capability (`columns`, `lines`, `bell`…), so what
// needs it lives apart from CCurses.c.
#include "CCurses.h"
#include <ncursesw/term.h>
#include <unistd.h>

int ccurses_terminal_check(const char *term) {
    int error = 0;
    if (setupterm((char *)term, STDOUT_FILENO, &error) != OK) return error == -1 ? 2 : 1;
    const char *cup = tigetstr("cup");
    int addressable = cup != NULL && cup != (char *)-1;
    del_curterm(cur_term);
    return addressable ? 0 : 3;
}
