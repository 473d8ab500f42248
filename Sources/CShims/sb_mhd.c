#include "sb_mhd.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* Bridges MHD's printf-style logger to the settings' plain message callback; cls is the settings. */
static void sb_mhd_external_logger(void *cls, const char *fmt, va_list ap) {
    const struct sb_mhd_settings *settings = cls;
    char message[512];
    vsnprintf(message, sizeof message, fmt, ap);
    size_t n = strlen(message);
    while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == '\r')) message[--n] = '\0';
    settings->log_message(settings->log_message_cls, message);
}

struct MHD_Daemon *sb_mhd_start(const struct sb_mhd_settings *s) {
    struct MHD_OptionItem ops[12];
    size_t n = 0;
    /* The logger goes first so that messages about the later options reach it too. */
    if (s->log_message != NULL) {
        ops[n++] = (struct MHD_OptionItem) { MHD_OPTION_EXTERNAL_LOGGER, (intptr_t) sb_mhd_external_logger,
                                             (void *) s };
    }
    ops[n++] = (struct MHD_OptionItem) { MHD_OPTION_LISTEN_SOCKET, (intptr_t) s->listen_fd, NULL };
    ops[n++] = (struct MHD_OptionItem) { MHD_OPTION_CONNECTION_LIMIT, (intptr_t) s->connection_limit, NULL };
    if (s->per_ip_connection_limit > 0) {
        ops[n++] = (struct MHD_OptionItem) { MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                             (intptr_t) s->per_ip_connection_limit, NULL };
    }
    if (s->request_line != NULL) {
        ops[n++] = (struct MHD_OptionItem) { MHD_OPTION_URI_LOG_CALLBACK, (intptr_t) s->request_line,
                                             s->request_line_cls };
    }
    ops[n++] = (struct MHD_OptionItem) { MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t) s->connection_timeout, NULL };
    ops[n++] = (struct MHD_OptionItem) { MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                         (intptr_t) s->connection_memory_limit, NULL };
    ops[n++] = (struct MHD_OptionItem) { MHD_OPTION_NOTIFY_COMPLETED, (intptr_t) s->completed, s->completed_cls };
    ops[n++] = (struct MHD_OptionItem) { MHD_OPTION_NOTIFY_CONNECTION, (intptr_t) s->notify_connection,
                                         s->notify_connection_cls };
    if (s->thread_pool_size > 1) {
        ops[n++] = (struct MHD_OptionItem) { MHD_OPTION_THREAD_POOL_SIZE, (intptr_t) s->thread_pool_size, NULL };
    }
    ops[n++] = (struct MHD_OptionItem) { MHD_OPTION_END, 0, NULL };
    return MHD_start_daemon(s->flags, 0, NULL, NULL, s->access_handler, s->access_handler_cls,
                            MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
}

uint16_t sb_mhd_bind_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

unsigned int sb_mhd_current_connections(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info == NULL ? 0 : info->num_connections;
}

void sb_mhd_client_address(struct MHD_Connection *connection, char *buf, size_t buflen) {
    if (buflen == 0) return;
    buf[0] = '\0';
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL) return;
    /* inet_ntop rather than getnameinfo: this runs once per request. */
    const struct sockaddr *sa = info->client_addr;
    const void *address = NULL;
    if (sa->sa_family == AF_INET) address = &((const struct sockaddr_in *) sa)->sin_addr;
    else if (sa->sa_family == AF_INET6) address = &((const struct sockaddr_in6 *) sa)->sin6_addr;
    if (address == NULL || inet_ntop(sa->sa_family, address, buf, (socklen_t) buflen) == NULL) buf[0] = '\0';
}

size_t sb_mhd_request_header_size(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    return info == NULL ? 0 : info->header_size;
}

int sb_mhd_connection_fd(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info == NULL ? -1 : (int) info->connect_fd;
}

void *sb_mhd_socket_context(struct MHD_Connection *connection) {
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info == NULL ? NULL : info->socket_context;
}
