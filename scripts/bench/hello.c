/*
 * hello: the baseline for `make bench-http`. A minimal libmicrohttpd server that answers
 * every request with 200 {"status":"ok"} (Content-Type: application/json), configured like
 * the Switchboard server so the comparison is fair: internal polling thread, epoll, a
 * thread pool of one thread per core, suspend/resume allowed, error log on, 1024 connections.
 *
 * Usage: hello PORT     (listens on 127.0.0.1:PORT; stops cleanly on SIGTERM or SIGINT)
 */
#include "mhd_bench.h"
#include <microhttpd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char body[] = "{\"status\":\"ok\"}";

/* Marks a request whose first access-handler call has been seen. */
static int request_started;

/*
 * libmicrohttpd 0.9.75 answers "Connection: close" when the response is queued on the very
 * first call for a request, so the first call only marks the request and the response is
 * queued on the next one. Upload data, if any, is consumed and ignored.
 */
static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls) {
    (void)cls; (void)url; (void)method; (void)version; (void)upload_data;
    if (*con_cls == NULL) {
        *con_cls = &request_started;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct MHD_Response *response = MHD_create_response_from_buffer(
        sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
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

static int parse_port(const char *text, uint16_t *port) {
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < 1 || value > 65535) {
        return -1;
    }
    *port = (uint16_t)value;
    return 0;
}

int main(int argc, char **argv) {
    uint16_t port;
    if (argc != 2 || parse_port(argv[1], &port) != 0) {
        fprintf(stderr, "usage: %s PORT (1-65535)\n", argv[0]);
        return 2;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned int pool_size = cores > 0 ? (unsigned int)cores : 1;

    sigset_t stop_signals;
    block_stop_signals(&stop_signals);
    struct sockaddr_in address = loopback_address(port);

    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
        port, NULL, NULL, &answer, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
        MHD_OPTION_THREAD_POOL_SIZE, pool_size,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1024,
        MHD_OPTION_END);
    if (daemon == NULL) {
        fprintf(stderr, "hello: could not start libmicrohttpd on 127.0.0.1:%u\n", port);
        return 1;
    }
    fprintf(stderr, "hello: listening on 127.0.0.1:%u with %u threads\n", port, pool_size);

    int received = 0;
    sigwait(&stop_signals, &received);
    MHD_stop_daemon(daemon);
    fprintf(stderr, "hello: stopped (signal %d)\n", received);
    return 0;
}
