/* validate.c — to be written (see validate.h) */
#include "validate.h"
