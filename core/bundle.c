/* bundle: signed files of sealed results for the USB path. */
#include "core/bundle.h"

#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "core/le.h"

int bundle_write(const bundle_item *items, size_t n, const uint8_t device_sk[crypto_sign_SECRETKEYBYTES], int64_t created,
                 uint8_t **out, size_t *outlen)
{
    if (n > BUNDLE_MAX_RESULTS) return -1;
    size_t total = BUNDLE_HEADER_BYTES + crypto_sign_BYTES;
    for (size_t i = 0; i < n; i++) {
        if (items[i].len > BUNDLE_MAX_ITEM) return -1;
        total += 4 + items[i].len;
    }
    uint8_t *b = malloc(total);
    if (!b) return -1;
    memcpy(b, BUNDLE_MAGIC, 8);
    le_put32(b + 8, 1);
    le_put32(b + 12, (uint32_t)n);
    memcpy(b + 16, device_sk + 32, crypto_sign_PUBLICKEYBYTES);
    le_put64(b + 48, (uint64_t)created);
    size_t o = BUNDLE_HEADER_BYTES;
    for (size_t i = 0; i < n; i++) {
        le_put32(b + o, (uint32_t)items[i].len);
        memcpy(b + o + 4, items[i].data, items[i].len);
        o += 4 + items[i].len;
    }
    crypto_sign_detached(b + o, NULL, b, o, device_sk);
    *out = b;
    *outlen = total;
    return 0;
}

int bundle_read(const uint8_t *buf, size_t len, bundle *out, char **why)
{
    memset(out, 0, sizeof *out);
    if (len < BUNDLE_HEADER_BYTES + crypto_sign_BYTES || memcmp(buf, BUNDLE_MAGIC, 8)) {
        *why = fileio_fmt("not a results bundle (or truncated)");
        return -1;
    }
    if (le_get32(buf + 8) != 1) {
        *why = fileio_fmt("unsupported bundle version %u", le_get32(buf + 8));
        return -1;
    }
    uint32_t n = le_get32(buf + 12);
    if (n > BUNDLE_MAX_RESULTS) {
        *why = fileio_fmt("bundle claims %u results (limit %u)", n, BUNDLE_MAX_RESULTS);
        return -1;
    }
    size_t body = len - crypto_sign_BYTES;
    if (crypto_sign_verify_detached(buf + body, buf, body, buf + 16) != 0) {
        *why = fileio_fmt("bundle signature does not verify: the file was altered or truncated");
        return -1;
    }
    out->items = calloc(n ? n : 1, sizeof *out->items);
    if (!out->items) {
        *why = fileio_fmt("out of memory");
        return -1;
    }
    size_t o = BUNDLE_HEADER_BYTES;
    for (uint32_t i = 0; i < n; i++) {
        if (body - o < 4) goto bad;
        uint32_t l = le_get32(buf + o);
        if (l > BUNDLE_MAX_ITEM || body - o - 4 < l) goto bad;
        out->items[i].data = buf + o + 4;
        out->items[i].len = l;
        o += 4 + l;
    }
    if (o != body) goto bad;
    out->n = n;
    memcpy(out->device_pk, buf + 16, sizeof out->device_pk);
    out->created = (int64_t)le_get64(buf + 48);
    return 0;
bad:
    free(out->items);
    out->items = NULL;
    *why = fileio_fmt("bundle entries are inconsistent with its length");
    return -1;
}

void bundle_free(bundle *b)
{
    free(b->items);
    memset(b, 0, sizeof *b);
}
