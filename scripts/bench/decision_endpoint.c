/* decision_endpoint.c: a decision endpoint for `make bench-incoming` that answers every POST
 * /d/<milliseconds> with {"action":"answer","client_websocket_url":"wss://bench.example/ws"} after
 * sleeping that many milliseconds (one thread per connection, so every request waits its own delay).
 *
 * Usage: decision_endpoint PORT        Stops on SIGTERM or SIGINT.
 */
#include "mhd_bench.h"
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

static const char ANSWER[] = "{\"action\":\"answer\",\"client_websocket_url\":\"wss://bench.example/ws\"}";

static void sleep_ms(long ms) {
    struct timespec wait = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&wait, &wait) != 0) {
    }
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size, void **state) {
    (void)cls; (void)method; (void)version; (void)upload_data;
    static int started;
    if (*state == NULL) { /* headers only: ask for the body */
        *state = &started;
        return MHD_YES;
    }
    if (*upload_data_size != 0) { /* body bytes: ignore them */
        *upload_data_size = 0;
        return MHD_YES;
    }
    long delay = strncmp(url, "/d/", 3) == 0 ? strtol(url + 3, NULL, 10) : 0;
    if (delay > 0) sleep_ms(delay);
    struct MHD_Response *response =
        MHD_create_response_from_buffer(sizeof ANSWER - 1, (void *)ANSWER, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(response, "Content-Type", "application/json");
    enum MHD_Result queued = MHD_queue_response(connection, MHD_HTTP_OK, response);
    MHD_destroy_response(response);
    return queued;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: decision_endpoint PORT\n");
        return 2;
    }
    unsigned port = (unsigned)strtoul(argv[1], NULL, 10);
    sigset_t stop_signals;
    block_stop_signals(&stop_signals);
    struct sockaddr_in address = loopback_address(port);
    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
        port, NULL, NULL, &answer, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4096,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)4096,
        MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
        MHD_OPTION_END);
    if (daemon == NULL) {
        fprintf(stderr, "decision_endpoint: could not start libmicrohttpd on 127.0.0.1:%u\n", port);
        return 1;
    }
    fprintf(stderr, "decision_endpoint: listening on 127.0.0.1:%u\n", port);
    int received = 0;
    sigwait(&stop_signals, &received);
    MHD_stop_daemon(daemon);
    return 0;
}
