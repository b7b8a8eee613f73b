#ifndef BERTH_RELAY_H
#define BERTH_RELAY_H
#include <sys/types.h>
int relay_pty(int master, pid_t child);
#endif
