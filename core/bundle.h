/* bundle: results on a USB stick. `examsync export` packs a kiosk's pending
 * sealed results into one file signed with the kiosk's device key; `examhub
 * import` checks the signature against the enrolled kiosk and then applies
 * the same checks to each result as the HTTP path.
 *
 *   off  size  field (little-endian)
 *   0    8     magic "EXBUNDLE"
 *   8    4     version (1)
 *   12   4     number of results N (≤ BUNDLE_MAX_RESULTS)
 *   16   32    device (kiosk) Ed25519 public key
 *   48   8     created, Unix seconds
 *   56   …     N × (4-byte length L ≤ BUNDLE_MAX_ITEM, L bytes of sealed result)
 *   end  64    Ed25519 signature by the device key over every byte before it
 */
#ifndef BUNDLE_H
#define BUNDLE_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#define BUNDLE_MAGIC "EXBUNDLE"
#define BUNDLE_HEADER_BYTES 56
#define BUNDLE_MAX_RESULTS 100000
#define BUNDLE_MAX_ITEM (8u << 20)

typedef struct bundle_item {
    const uint8_t *data; /* points into the bundle buffer */
    size_t len;
} bundle_item;

typedef struct bundle {
    uint8_t device_pk[crypto_sign_PUBLICKEYBYTES];
    int64_t created;
    bundle_item *items; /* malloc'd array; free with bundle_free */
    size_t n;
} bundle;

/* Writes a bundle of ITEMS signed with DEVICE_SK into a malloc'd buffer. */
int bundle_write(const bundle_item *items, size_t n, const uint8_t device_sk[crypto_sign_SECRETKEYBYTES], int64_t created,
                 uint8_t **out, size_t *outlen) __attribute__((warn_unused_result));

/* Parses BUF and checks its signature against the public key it names.
 * The caller must still check that this key belongs to an enrolled kiosk.
 * Returns 0, or -1 with *why (caller frees). Items point into BUF. */
int bundle_read(const uint8_t *buf, size_t len, bundle *out, char **why) __attribute__((warn_unused_result));
void bundle_free(bundle *b);

#endif
