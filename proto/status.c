/* status.c — to be written (see status.h) */
#include "status.h"
