/*
 * sink: the delivery receiver of `make bench-gateway`. A libmicrohttpd server configured like
 * hello.c (internal polling thread, epoll, a thread pool of one thread per core, 1024
 * connections, keep-alive kept by queueing the response on the second handler call) that answers
 * every request 200 {"received":true} and records, per POST, its arrival time (CLOCK_REALTIME,
 * microseconds since the epoch, taken when the whole request has been read) and its delivery id:
 * the `CallingBox-Event-Id` header (CallingBox-style) or else `webhook-id` (Standard Webhooks,
 * OneInbox-style).
 *
 * Records go into a preallocated array (no I/O per request). On SIGUSR1 every record so far is
 * written to OUT (replacing it); on SIGTERM or SIGINT they are written and the server stops.
 * Lines: "<arrival microseconds> <delivery id>" ("-" when the request had neither header).
 *
 * Usage: sink PORT OUT [CAPACITY]   (CAPACITY records at most, default 4,000,000; more are
 *                                     answered but counted as dropped)
 */
#include "mhd_server.h"

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#define ID_BYTES 64

struct record {
    int64_t arrival_us;
    atomic_int ready; /* set (release) once the slot is filled */
    char id[ID_BYTES];
};

static const char body[] = "{\"received\":true}";
static struct record *records;
static size_t capacity;
static atomic_size_t next_slot;
static atomic_size_t dropped;

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void record_request(struct MHD_Connection *connection) {
    int64_t arrival = now_us();
    size_t slot = atomic_fetch_add_explicit(&next_slot, 1, memory_order_relaxed);
    if (slot >= capacity) {
        atomic_fetch_add_explicit(&dropped, 1, memory_order_relaxed);
        return;
    }
    const char *id = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "CallingBox-Event-Id");
    if (id == NULL) {
        id = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "webhook-id");
    }
    struct record *r = &records[slot];
    r->arrival_us = arrival;
    snprintf(r->id, sizeof r->id, "%s", id != NULL && id[0] != '\0' ? id : "-");
    atomic_store_explicit(&r->ready, 1, memory_order_release);
}

/* Records each POST once the whole request has been read, then answers it (see mhd_server.h). */
static enum MHD_Result answer(void *cls, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls) {
    (void)cls; (void)url; (void)version; (void)upload_data;
    if (bench_request_pending(upload_data_size, con_cls)) {
        return MHD_YES;
    }
    if (strcmp(method, "POST") == 0) {
        record_request(connection);
    }
    return bench_queue_json(connection, body, sizeof body - 1);
}

/* Writes every filled record to `path` through a temporary file renamed into place. */
static int write_records(const char *path) {
    char temporary[4096];
    if (snprintf(temporary, sizeof temporary, "%s.tmp", path) >= (int)sizeof temporary) {
        fprintf(stderr, "sink: output path too long\n");
        return -1;
    }
    FILE *out = fopen(temporary, "w");
    if (out == NULL) {
        fprintf(stderr, "sink: cannot write %s: %s\n", temporary, strerror(errno));
        return -1;
    }
    size_t count = atomic_load(&next_slot);
    if (count > capacity) count = capacity;
    size_t written = 0;
    for (size_t i = 0; i < count; i++) {
        if (!atomic_load_explicit(&records[i].ready, memory_order_acquire)) continue;
        fprintf(out, "%lld %s\n", (long long)records[i].arrival_us, records[i].id);
        written++;
    }
    if (fclose(out) != 0 || rename(temporary, path) != 0) {
        fprintf(stderr, "sink: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(stderr, "sink: wrote %zu records to %s (%zu dropped over capacity)\n", written, path,
            atomic_load(&dropped));
    return 0;
}

int main(int argc, char **argv) {
    long port, wanted = 4000000;
    if ((argc != 3 && argc != 4) || bench_parse_number(argv[1], 1, 65535, &port) != 0 ||
        (argc == 4 && bench_parse_number(argv[3], 1, 100000000, &wanted) != 0)) {
        fprintf(stderr, "usage: %s PORT OUT [CAPACITY]\n", argv[0]);
        return 2;
    }
    const char *out_path = argv[2];
    capacity = (size_t)wanted;
    /* calloc of a large block maps zero pages lazily: only the records written take memory. */
    records = calloc(capacity, sizeof *records);
    if (records == NULL) {
        fprintf(stderr, "sink: cannot allocate %zu records\n", capacity);
        return 1;
    }
    sigset_t signals;
    bench_block_signals(&signals, SIGUSR1);
    struct MHD_Daemon *daemon = bench_start("sink", (uint16_t)port, &answer);
    if (daemon == NULL) {
        free(records);
        return 1;
    }

    int received = 0;
    for (;;) {
        sigwait(&signals, &received);
        if (received != SIGUSR1) break;
        write_records(out_path);
    }
    MHD_stop_daemon(daemon);
    int status = write_records(out_path) == 0 ? 0 : 1;
    fprintf(stderr, "sink: stopped (signal %d)\n", received);
    free(records);
    return status;
}
