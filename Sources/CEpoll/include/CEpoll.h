// The Linux event APIs Swift's Glibc module does not export: epoll and eventfd.
// Used by LocalServer's event loop.
#ifndef C_EPOLL_H
#define C_EPOLL_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
