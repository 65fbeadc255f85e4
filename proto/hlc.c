/* hlc.c — to be written (see hlc.h) */
#include "hlc.h"
