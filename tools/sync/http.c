/* sync/http: see http.h. */
#include "tools/sync/http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    size_t n = size * nmemb;
    return dynbuf_add(ud, data, n) == DYNBUF_OK ? n : 0; /* 0: curl stops with a write error */
}

long sync_post(const char *base, const char *path, const sync_post_opts *o, const void *data, size_t len,
               dynbuf *answer, char **why)
{
    *why = NULL;
    CURL *c = curl_easy_init();
    if (!c) {
        *why = fileio_fmt("cannot start libcurl");
        return 0;
    }
    size_t bl = strlen(base);
    char *url = fileio_fmt("%.*s%s", (int)(bl && base[bl - 1] == '/' ? bl - 1 : bl), base, path);
    struct curl_slist *h = NULL;
    char ct[96], kh[64];
    snprintf(ct, sizeof ct, "Content-Type: %s", o->ctype);
    h = curl_slist_append(h, ct);
    h = curl_slist_append(h, "Expect:");
    if (o->kiosk) {
        snprintf(kh, sizeof kh, "X-Kiosk-Id: %s", o->kiosk);
        h = curl_slist_append(h, kh);
    }
    char err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, o->connect_timeout_s);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, o->timeout_s);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        *why = fileio_fmt("unreachable: %s", err[0] ? err : curl_easy_strerror(rc));
    free(url);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}
