/*
 * mhd_server.h: what the benchmark's C libmicrohttpd servers (hello.c, sink.c) share, so that they
 * run configured alike and like the Switchboard server: internal polling thread, epoll, a thread
 * pool of one thread per core, suspend/resume allowed, error log on, 1024 connections, loopback only.
 */
#ifndef SWITCHBOARD_BENCH_MHD_SERVER_H
#define SWITCHBOARD_BENCH_MHD_SERVER_H

#include <microhttpd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Parses a decimal integer in [min, max]; 0 on success. */
static int bench_parse_number(const char *text, long min, long max, long *value) {
    char *end = NULL;
    errno = 0;
    long parsed = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || parsed < min || parsed > max) {
        return -1;
    }
    *value = parsed;
    return 0;
}

/* Blocks SIGTERM, SIGINT and `extra` (0 for none) in the calling thread; call it before any thread
 * exists, so that only sigwait on `signals` sees them. */
static void bench_block_signals(sigset_t *signals, int extra) {
    sigemptyset(signals);
    sigaddset(signals, SIGTERM);
    sigaddset(signals, SIGINT);
    if (extra != 0) sigaddset(signals, extra);
    pthread_sigmask(SIG_BLOCK, signals, NULL);
}

/* Starts the daemon on 127.0.0.1:port; prints a line naming `name`; NULL (after a message) on failure. */
static struct MHD_Daemon *bench_start(const char *name, uint16_t port, MHD_AccessHandlerCallback handler) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned int pool_size = cores > 0 ? (unsigned int)cores : 1;
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
        port, NULL, NULL, handler, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
        MHD_OPTION_THREAD_POOL_SIZE, pool_size,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
        MHD_OPTION_END);
    if (daemon == NULL) {
        fprintf(stderr, "%s: could not start libmicrohttpd on 127.0.0.1:%u\n", name, port);
        return NULL;
    }
    fprintf(stderr, "%s: listening on 127.0.0.1:%u with %u threads\n", name, port, pool_size);
    return daemon;
}

/* Marks a request whose first access-handler call has been seen. */
static int bench_request_started;

/*
 * The start of every access handler: libmicrohttpd 0.9.75 answers "Connection: close" when the
 * response is queued on the very first call for a request, so the first call only marks the
 * request; upload data is consumed and ignored. Returns 1 when the handler should return MHD_YES
 * now, 0 when the request is complete and its answer is to be queued.
 */
static int bench_request_pending(size_t *upload_data_size, void **con_cls) {
    if (*con_cls == NULL) {
        *con_cls = &bench_request_started;
        return 1;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return 1;
    }
    return 0;
}

/* Queues 200 with a constant JSON body. */
static enum MHD_Result bench_queue_json(struct MHD_Connection *connection, const char *body, size_t length) {
    struct MHD_Response *response = MHD_create_response_from_buffer(length, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (response == NULL) {
        return MHD_NO;
    }
    enum MHD_Result result = MHD_add_response_header(response, "Content-Type", "application/json");
    if (result == MHD_YES) {
        result = MHD_queue_response(connection, MHD_HTTP_OK, response);
    }
    MHD_destroy_response(response);
    return result;
}

#endif
