/* keys.c — to be written (see keys.h) */
#include "keys.h"
