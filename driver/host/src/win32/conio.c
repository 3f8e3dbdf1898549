/*
 * conio.c - the Microsoft C runtime's console input of conio.h for programs built with
 * scripts/build-host-app: _getch and _getche.
 *
 * "_getch and _getwch read a single character from the console without echoing the
 * character"; "_getche and _getwche ... echo the character that's read" (_getch,
 * _getwch; _getche, _getwche). They return the character read; there is no error
 * return. The host's console is the process' standard input:
 *  - on a terminal, the character is read as the Windows console gives it, without
 *    waiting for a line and without the terminal's echo (canonical mode and echo are
 *    switched off for the one read and restored after it);
 *  - otherwise (a pipe or a file) the next byte of standard input is read;
 *  - at the end of standard input, which a Windows console never reaches, EOF (-1) is
 *    returned.
 * Both read through the C library's stdin stream, so they see what that stream has
 * buffered and stay in order with the program's other reads of stdin.
 * _kbhit, _putch and _cputs stay unimplemented: a program calling them fails to link.
 */
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

#include "win32/win32p.h"

KMDFHOST_API int _getch(void);
KMDFHOST_API int _getche(void);

static int KhConReadCharacter(void)
{
    struct termios saved;
    int fd = fileno(stdin);
    bool raw = isatty(fd) && tcgetattr(fd, &saved) == 0;
    if (raw) {
        struct termios single = saved;
        single.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        single.c_cc[VMIN] = 1;
        single.c_cc[VTIME] = 0;
        raw = tcsetattr(fd, TCSANOW, &single) == 0;
    }
    int character = getc(stdin);
    if (raw) {
        (void)tcsetattr(fd, TCSANOW, &saved);
    }
    return character;
}

KMDFHOST_API int _getch(void)
{
    return KhConReadCharacter();
}

KMDFHOST_API int _getche(void)
{
    int character = KhConReadCharacter();
    if (character != EOF) {
        /* The echo appears at once, as on the console. */
        (void)putc(character, stdout);
        (void)fflush(stdout);
    }
    return character;
}
