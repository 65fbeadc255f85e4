/* envelope.c — to be written (see envelope.h) */
#include "envelope.h"
