/*
 * conio_program.c - conio.h's console input under the host: run with "ab" on standard
 * input. _getche echoes what it reads, _getch does not, and past the end of the input
 * both return EOF. Prints "[a][][]" then "conio ok" (the brackets show the echoes).
 */
#include <windows.h>
#include <conio.h>
#include <stdio.h>

int main(void)
{
    printf("[");
    fflush(stdout);
    int first = _getche();
    printf("][");
    fflush(stdout);
    int second = _getch();
    printf("][");
    fflush(stdout);
    int third = _getch();
    printf("]\n");
    if (first != 'a' || second != 'b' || third != EOF || _getche() != EOF) {
        printf("conio: read %d %d %d\n", first, second, third);
        return 1;
    }
    printf("conio ok\n");
    return 0;
}
