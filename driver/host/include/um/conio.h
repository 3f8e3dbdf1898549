/*
 * conio.h - the Microsoft C runtime's console I/O header, for programs built against the
 * user-mode KMDF host. _getch and _getche read the console, which is the process'
 * standard input (src/win32/conio.c); the others (_kbhit, _putch, _cputs) are declared
 * so that a program that includes the header without calling them builds, and a
 * program that calls one fails to link, naming it.
 */
#ifndef KMDFHOST_UM_CONIO_H
#define KMDFHOST_UM_CONIO_H

#ifdef __cplusplus
extern "C" {
#endif

int _getch(void);
int _getche(void);
int _kbhit(void);
int _putch(int Character);
int _cputs(const char *String);

#ifdef __cplusplus
}
#endif

#endif /* KMDFHOST_UM_CONIO_H */
