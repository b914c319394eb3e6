// Linux calls that Swift's Glibc module does not import.
#include <spawn.h>
#include <sys/signalfd.h>
#include <sys/statvfs.h>
#include <sys/timex.h>

// glibc 2.34 declares it only under _GNU_SOURCE, which must not be defined here: it changes
// struct definitions (fd_set) that this module shares with Swift's Glibc module.
int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
