/* change.c — to be written (see change.h) */
#include "change.h"
