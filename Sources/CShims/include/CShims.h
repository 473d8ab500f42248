#ifndef SWITCHBOARD_CSHIMS_H
#define SWITCHBOARD_CSHIMS_H
/* Umbrella header: fixed-signature wrappers over C variadics that Swift cannot call. */
#include "sb_curl.h"
#include "sb_mhd.h"
#include "sb_memory.h"
#endif
