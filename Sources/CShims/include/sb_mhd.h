#ifndef SWITCHBOARD_SB_MHD_H
#define SWITCHBOARD_SB_MHD_H
#include <sys/types.h>
#include <sys/socket.h>
#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>
#include <microhttpd.h>

/* Settings for sb_mhd_start; every field maps to one MHD_OPTION. */
struct sb_mhd_settings {
    unsigned int flags;                 /* MHD_FLAG bits */
    int listen_fd;                      /* an already bound, listening socket (MHD_OPTION_LISTEN_SOCKET) */
    unsigned int thread_pool_size;      /* MHD_OPTION_THREAD_POOL_SIZE; 0 or 1 = the single internal thread */
    unsigned int connection_limit;      /* MHD_OPTION_CONNECTION_LIMIT */
    unsigned int per_ip_connection_limit; /* MHD_OPTION_PER_IP_CONNECTION_LIMIT; 0 = none */
    unsigned int connection_timeout;    /* MHD_OPTION_CONNECTION_TIMEOUT, seconds of idleness */
    size_t connection_memory_limit;     /* MHD_OPTION_CONNECTION_MEMORY_LIMIT: bounds the header size */
    MHD_AccessHandlerCallback access_handler;
    void *access_handler_cls;
    MHD_RequestCompletedCallback completed;
    void *completed_cls;
    MHD_NotifyConnectionCallback notify_connection;
    void *notify_connection_cls;
    /* MHD_OPTION_URI_LOG_CALLBACK: called when a request line has been read (NULL: not set). Its return
     * value becomes the request's initial context; the server's returns NULL. */
    void *(*request_line)(void *cls, const char *uri, struct MHD_Connection *connection);
    void *request_line_cls;
    /* Receives libmicrohttpd's own diagnostics, already formatted (MHD_OPTION_EXTERNAL_LOGGER takes a
     * va_list callback, which Swift cannot implement). NULL leaves them on stderr. */
    void (*log_message)(void *cls, const char *message);
    void *log_message_cls;
};

/* MHD_start_daemon is variadic: this builds its option list from the struct. `settings` must stay valid
 * until MHD_stop_daemon returns when log_message is set (it is the logger's context). */
struct MHD_Daemon *sb_mhd_start(const struct sb_mhd_settings *settings);

/* MHD_get_daemon_info is variadic. */
uint16_t sb_mhd_bind_port(struct MHD_Daemon *daemon);
unsigned int sb_mhd_current_connections(struct MHD_Daemon *daemon);

/* Writes the numeric address of the connection's peer into buf ("" when unknown). */
void sb_mhd_client_address(struct MHD_Connection *connection, char *buf, size_t buflen);

/* The request header block's size in bytes as received (request line through the empty line; 0 when
 * unknown). MHD_get_connection_info is variadic. */
size_t sb_mhd_request_header_size(struct MHD_Connection *connection);

/* The connection's socket (-1 when unknown). */
int sb_mhd_connection_fd(struct MHD_Connection *connection);

/* The socket context set in the MHD_NotifyConnectionCallback (NULL when none). */
void *sb_mhd_socket_context(struct MHD_Connection *connection);
#endif
