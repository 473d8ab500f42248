/* mhd_bench.h: setup shared by the C servers of the benchmarks. */
#ifndef MHD_BENCH_H
#define MHD_BENCH_H

#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

/* Blocks SIGTERM and SIGINT before any thread exists, so that only sigwait(stop_signals) sees them. */
static inline void block_stop_signals(sigset_t *stop_signals) {
    sigemptyset(stop_signals);
    sigaddset(stop_signals, SIGTERM);
    sigaddset(stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, stop_signals, NULL);
}

/* 127.0.0.1:port. */
static inline struct sockaddr_in loopback_address(unsigned port) {
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

#endif
