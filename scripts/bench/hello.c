/*
 * hello: the baseline for `make bench-http` and `make bench-gateway`. A minimal libmicrohttpd
 * server that answers every request with 200 {"status":"ok"} (Content-Type: application/json),
 * configured like the Switchboard server so the comparison is fair (see mhd_server.h).
 *
 * Usage: hello PORT     (listens on 127.0.0.1:PORT; stops cleanly on SIGTERM or SIGINT)
 */
#include "mhd_server.h"

static const char body[] = "{\"status\":\"ok\"}";

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls) {
    (void)cls; (void)url; (void)method; (void)version; (void)upload_data;
    if (bench_request_pending(upload_data_size, con_cls)) {
        return MHD_YES;
    }
    return bench_queue_json(connection, body, sizeof body - 1);
}

int main(int argc, char **argv) {
    long port;
    if (argc != 2 || bench_parse_number(argv[1], 1, 65535, &port) != 0) {
        fprintf(stderr, "usage: %s PORT (1-65535)\n", argv[0]);
        return 2;
    }
    sigset_t stop_signals;
    bench_block_signals(&stop_signals, 0);
    struct MHD_Daemon *daemon = bench_start("hello", (uint16_t)port, &answer);
    if (daemon == NULL) {
        return 1;
    }
    int received = 0;
    sigwait(&stop_signals, &received);
    MHD_stop_daemon(daemon);
    fprintf(stderr, "hello: stopped (signal %d)\n", received);
    return 0;
}
