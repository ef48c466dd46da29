// libcurl for Swift: typed wrappers for the variadic setopt/getinfo functions (Swift cannot
// call C varargs), plus epoll and eventfd for the engine's socket loop.
#ifndef C_CURL_H
#define C_CURL_H

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

typedef size_t (*ccurl_data_callback)(char *data, size_t size, size_t count, void *user);
typedef int (*ccurl_socket_callback)(CURL *easy, curl_socket_t socket, int what, void *user, void *socket_user);
typedef int (*ccurl_timer_callback)(CURLM *multi, long timeout_ms, void *user);

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ccurl_easy_setopt_data_callback(CURL *handle, CURLoption option, ccurl_data_callback callback);

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value);
CURLcode ccurl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);

CURLMcode ccurl_multi_setopt_long(CURLM *handle, CURLMoption option, long value);
CURLMcode ccurl_multi_setopt_pointer(CURLM *handle, CURLMoption option, void *value);
CURLMcode ccurl_multi_setopt_socket_callback(CURLM *handle, ccurl_socket_callback callback);
CURLMcode ccurl_multi_setopt_timer_callback(CURLM *handle, ccurl_timer_callback callback);

/// The value a write callback returns to pause its transfer.
size_t ccurl_writefunc_pause(void);

#endif
