// Linux calls that Swift's Glibc module does not import.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // posix_spawn_file_actions_addclosefrom_np (glibc 2.34)
#endif
#include <spawn.h>
#include <sys/signalfd.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
