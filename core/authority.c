/* authority: key generation and key files. */
#include "core/authority.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>

#include "core/fileio.h"

#define B64V sodium_base64_VARIANT_ORIGINAL

static int b64_line(char *dst, size_t cap, const char *label, const uint8_t *bin, size_t n)
{
    char b64[sodium_base64_ENCODED_LEN(64, B64V)];
    sodium_bin2base64(b64, sizeof b64, bin, n, B64V);
    int w = snprintf(dst, cap, "%s %s\n", label, b64);
    sodium_memzero(b64, sizeof b64);
    return w;
}

int authority_keygen(const char *dir, char **why)
{
    uint8_t spk[crypto_sign_PUBLICKEYBYTES], ssk[crypto_sign_SECRETKEYBYTES];
    uint8_t bpk[crypto_box_PUBLICKEYBYTES], bsk[crypto_box_SECRETKEYBYTES];
    char pubtxt[512], keytxt[512], restxt[512];
    char *ppub = fileio_fmt("%s/authority.pub", dir), *pkey = fileio_fmt("%s/authority.key", dir),
         *pres = fileio_fmt("%s/results.key", dir);
    int rc = -1;
    if (!ppub || !pkey || !pres) goto out;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        *why = fileio_fmt("cannot create %s: %s", dir, strerror(errno));
        goto out;
    }
    if (!access(ppub, F_OK) || !access(pkey, F_OK) || !access(pres, F_OK)) {
        *why = fileio_fmt("%s already holds authority keys; refusing to overwrite", dir);
        goto out;
    }
    crypto_sign_keypair(spk, ssk);
    crypto_box_keypair(bpk, bsk);
    size_t o = 0;
    o += (size_t)snprintf(pubtxt, sizeof pubtxt, "exam-authority-pub v1\n");
    o += (size_t)b64_line(pubtxt + o, sizeof pubtxt - o, "sign", spk, sizeof spk);
    b64_line(pubtxt + o, sizeof pubtxt - o, "box", bpk, sizeof bpk);
    o = (size_t)snprintf(keytxt, sizeof keytxt, "exam-authority-key v1\n");
    b64_line(keytxt + o, sizeof keytxt - o, "sign", ssk, sizeof ssk);
    o = (size_t)snprintf(restxt, sizeof restxt, "exam-results-key v1\n");
    o += (size_t)b64_line(restxt + o, sizeof restxt - o, "box-pk", bpk, sizeof bpk);
    b64_line(restxt + o, sizeof restxt - o, "box-sk", bsk, sizeof bsk);
    /* secrets first: a public key without its secret is useless */
    if (fileio_write_atomic(pkey, keytxt, strlen(keytxt), 0600, 1, why)) goto out;
    if (fileio_write_atomic(pres, restxt, strlen(restxt), 0600, 1, why)) { unlink(pkey); goto out; }
    if (fileio_write_atomic(ppub, pubtxt, strlen(pubtxt), 0644, 1, why)) { unlink(pkey); unlink(pres); goto out; }
    rc = 0;
out:
    sodium_memzero(ssk, sizeof ssk);
    sodium_memzero(bsk, sizeof bsk);
    sodium_memzero(keytxt, sizeof keytxt);
    sodium_memzero(restxt, sizeof restxt);
    free(ppub);
    free(pkey);
    free(pres);
    if (rc && !*why) *why = fileio_fmt("out of memory");
    return rc;
}

/* Finds "LABEL <base64>" in TEXT and decodes exactly N bytes into OUT. */
static int field(const char *text, const char *label, uint8_t *out, size_t n)
{
    size_t ll = strlen(label);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, label, ll) || p[ll] != ' ') continue;
        const char *b = p + ll + 1, *e = b;
        while (*e && *e != '\n' && *e != '\r') e++;
        size_t got = 0;
        if (sodium_base642bin(out, n, b, (size_t)(e - b), NULL, &got, NULL, B64V) != 0 || got != n) return -1;
        return 0;
    }
    return -1;
}

int authority_load_pub(const char *path, authority_pub *out, char **why)
{
    unsigned char *buf;
    size_t len;
    if (fileio_read(path, 4096, &buf, &len, why)) return -1;
    int rc = authority_parse_pub((char *)buf, out, why);
    free(buf);
    return rc;
}

int authority_parse_pub(const char *text, authority_pub *out, char **why)
{
    if (strncmp(text, "exam-authority-pub v1\n", 22) || field(text, "sign", out->sign_pk, 32) ||
        field(text, "box", out->box_pk, 32)) {
        *why = fileio_fmt("not an authority public key file (authority.pub from exampack keygen)");
        return -1;
    }
    return 0;
}

/* Reads a secret key file whose first line is HEADER and whose LABEL line
 * holds N bytes; the file's bytes are wiped after reading. */
static int load_secret(const char *path, const char *header, const char *label, uint8_t *out, size_t n,
                       const char *what, char **why)
{
    unsigned char *buf;
    size_t len;
    if (fileio_read(path, 4096, &buf, &len, why)) return -1;
    int rc = -1;
    if (strncmp((char *)buf, header, strlen(header)) || field((char *)buf, label, out, n))
        *why = fileio_fmt("not %s", what);
    else
        rc = 0;
    sodium_memzero(buf, len);
    free(buf);
    return rc;
}

int authority_load_sign_sk(const char *path, uint8_t sk[crypto_sign_SECRETKEYBYTES], char **why)
{
    return load_secret(path, "exam-authority-key v1\n", "sign", sk, crypto_sign_SECRETKEYBYTES,
                       "an authority signing key file (authority.key from exampack keygen)", why);
}

void authority_key_id(const uint8_t pk[crypto_sign_PUBLICKEYBYTES], uint8_t id[AUTHORITY_KEYID_BYTES])
{
    static const char DOMAIN[] = "exam-authority-keyid";
    uint8_t h[crypto_generichash_BYTES_MIN];
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)DOMAIN, sizeof DOMAIN - 1);
    crypto_generichash_update(&st, pk, crypto_sign_PUBLICKEYBYTES);
    crypto_generichash_final(&st, h, sizeof h);
    memcpy(id, h, AUTHORITY_KEYID_BYTES);
}

int authority_device_keygen(const char *path, uint8_t pk[crypto_sign_PUBLICKEYBYTES], char **why)
{
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    char txt[256];
    crypto_sign_keypair(pk, sk);
    size_t o = (size_t)snprintf(txt, sizeof txt, "exam-device-key v1\n");
    b64_line(txt + o, sizeof txt - o, "sign", sk, sizeof sk);
    int rc = fileio_write_atomic(path, txt, strlen(txt), 0600, 1, why);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(txt, sizeof txt);
    return rc;
}

int authority_load_device_sk(const char *path, uint8_t sk[crypto_sign_SECRETKEYBYTES], char **why)
{
    return load_secret(path, "exam-device-key v1\n", "sign", sk, crypto_sign_SECRETKEYBYTES, "a device key file", why);
}

int authority_load_results_key(const char *path, uint8_t pk[crypto_box_PUBLICKEYBYTES],
                               uint8_t sk[crypto_box_SECRETKEYBYTES], char **why)
{
    unsigned char *buf;
    size_t len;
    if (fileio_read(path, 4096, &buf, &len, why)) return -1;
    int rc = -1;
    uint8_t check[crypto_box_PUBLICKEYBYTES];
    if (strncmp((char *)buf, "exam-results-key v1\n", 20) || field((char *)buf, "box-pk", pk, crypto_box_PUBLICKEYBYTES) ||
        field((char *)buf, "box-sk", sk, crypto_box_SECRETKEYBYTES))
        *why = fileio_fmt("not a results key file (results.key from exampack keygen)");
    else if (crypto_scalarmult_base(check, sk) != 0 || sodium_memcmp(check, pk, sizeof check) != 0)
        *why = fileio_fmt("results key file is inconsistent (public and secret halves differ)");
    else
        rc = 0;
    sodium_memzero(buf, len);
    free(buf);
    return rc;
}
