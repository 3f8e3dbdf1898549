/* debugapi.h: declared in winbase.h in the host's user-mode headers. */
#include <winbase.h>
