#ifndef SWITCHBOARD_SB_CURL_H
#define SWITCHBOARD_SB_CURL_H
#include <curl/curl.h>

/* curl_easy_setopt / curl_multi_setopt / curl_easy_getinfo are variadic; these wrappers fix one
 * argument type each. They return the CURLcode / CURLMcode of the underlying call. */
CURLcode sb_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode sb_curl_easy_setopt_offt(CURL *handle, CURLoption option, curl_off_t value);
CURLcode sb_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode sb_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode sb_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode sb_curl_easy_setopt_write_function(CURL *handle, curl_write_callback callback);
CURLcode sb_curl_easy_setopt_header_function(CURL *handle, curl_write_callback callback);
CURLcode sb_curl_easy_setopt_opensocket_function(CURL *handle, curl_opensocket_callback callback);
CURLcode sb_curl_easy_setopt_prereq_function(CURL *handle, curl_prereq_callback callback);

CURLcode sb_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *out);
CURLcode sb_curl_easy_getinfo_double(CURL *handle, CURLINFO info, double *out);
CURLcode sb_curl_easy_getinfo_offt(CURL *handle, CURLINFO info, curl_off_t *out);
CURLcode sb_curl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **out);
CURLcode sb_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **out);

CURLMcode sb_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value);

/* CURL_SOCKET_BAD is a macro: expose it as a value. */
curl_socket_t sb_curl_socket_bad(void);
#endif
