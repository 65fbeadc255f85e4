/* json.c — to be written (see json.h) */
#include "json.h"
