// Linux calls that Swift's Glibc module does not import.
#include <sys/signalfd.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
