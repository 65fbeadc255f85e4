/* compress.c — to be written (see compress.h) */
#include "compress.h"
