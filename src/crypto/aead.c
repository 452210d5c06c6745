/*
 * aead.c - AES-256-GCM (NIST SP 800-38D) with a 96-bit IV and a 128-bit tag appended to
 * the ciphertext, as ISO 18013-5 §9.1.1.5 session encryption and JWE A256GCM use it.
 */
#include <limits.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "cardless/alloc.h"
#include "crypto/crypto_int.h"

#include "base/banned.h"

#define GCM_MAX_LEN ((size_t)INT_MAX - 64) /* EVP counts in int */

cl_err
cl_aes256gcm_seal(const uint8_t key[32], const uint8_t iv[12], struct cl_bytes aad,
                  struct cl_bytes pt, struct cl_buf *out, struct cl_error *err)
{
    EVP_CIPHER_CTX *ctx = NULL;
    size_t start = out->len;
    uint8_t *dst;
    int n = 0, fin = 0;
    cl_err rc;

    if (key == NULL || iv == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "AES-GCM needs a key and an IV");
    if (pt.len > GCM_MAX_LEN || aad.len > GCM_MAX_LEN)
        return cl_fail(err, CL_ERR_TOO_LARGE, "plaintext", "AES-GCM input is too large");
    if (out->err != CL_OK)
        return cl_buf_check(out, "ciphertext", err);
    dst = cl_buf_extend(out, pt.len + CL_GCM_TAG_LEN);
    if (dst == NULL)
        return cl_buf_check(out, "ciphertext", err);
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "cannot allocate a cipher context");
        goto out;
    }
    /* the default IV length of EVP_aes_256_gcm is 12 bytes (SP 800-38D §8.2.1) */
    if (EVP_EncryptInit_ex2(ctx, EVP_aes_256_gcm(), key, iv, NULL) != 1 ||
        (aad.len != 0 && EVP_EncryptUpdate(ctx, NULL, &n, aad.ptr, (int)aad.len) != 1) ||
        (pt.len != 0 && EVP_EncryptUpdate(ctx, dst, &n, pt.ptr, (int)pt.len) != 1) ||
        EVP_EncryptFinal_ex(ctx, dst + n, &fin) != 1 || (size_t)n + (size_t)fin != pt.len ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, CL_GCM_TAG_LEN, dst + pt.len) != 1) {
        rc = cl_fail(err, CL_ERR_CRYPTO, NULL, "AES-256-GCM encryption failed");
        goto out;
    }
    rc = CL_OK;
out:
    if (rc != CL_OK && out->len > start) { /* take back what was reserved */
        cl_wipe(out->ptr + start, out->len - start);
        out->len = start;
    }
    ERR_clear_error();
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

cl_err
cl_aes256gcm_open(const uint8_t key[32], const uint8_t iv[12], struct cl_bytes aad,
                  struct cl_bytes ct_tag, struct cl_buf *out, struct cl_error *err)
{
    EVP_CIPHER_CTX *ctx = NULL;
    size_t start = out->len, ct_len;
    uint8_t tag[CL_GCM_TAG_LEN];
    uint8_t none[1];
    uint8_t *dst;
    int n = 0, fin = 0;
    cl_err rc;

    if (key == NULL || iv == NULL)
        return cl_fail(err, CL_ERR_USAGE, NULL, "AES-GCM needs a key and an IV");
    if (ct_tag.len < CL_GCM_TAG_LEN)
        return cl_fail(err, CL_ERR_TRUNCATED, "ciphertext",
                       "ciphertext is shorter than the 16-byte tag");
    if (ct_tag.len > GCM_MAX_LEN || aad.len > GCM_MAX_LEN)
        return cl_fail(err, CL_ERR_TOO_LARGE, "ciphertext", "AES-GCM input is too large");
    if (out->err != CL_OK)
        return cl_buf_check(out, "plaintext", err);
    ct_len = ct_tag.len - CL_GCM_TAG_LEN;
    memcpy(tag, ct_tag.ptr + ct_len, CL_GCM_TAG_LEN);
    dst = ct_len != 0 ? cl_buf_extend(out, ct_len) : none;
    if (dst == NULL)
        return cl_buf_check(out, "plaintext", err);
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) {
        rc = cl_fail(err, CL_ERR_NOMEM, NULL, "cannot allocate a cipher context");
        goto out;
    }
    if (EVP_DecryptInit_ex2(ctx, EVP_aes_256_gcm(), key, iv, NULL) != 1 ||
        (aad.len != 0 && EVP_DecryptUpdate(ctx, NULL, &n, aad.ptr, (int)aad.len) != 1) ||
        (ct_len != 0 && EVP_DecryptUpdate(ctx, dst, &n, ct_tag.ptr, (int)ct_len) != 1) ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, CL_GCM_TAG_LEN, tag) != 1) {
        rc = cl_fail(err, CL_ERR_CRYPTO, NULL, "AES-256-GCM decryption failed");
        goto out;
    }
    /* SP 800-38D §7.2 step 8: no plaintext leaves unless the tag matches */
    if (EVP_DecryptFinal_ex(ctx, dst + n, &fin) != 1) {
        rc = cl_fail(err, CL_ERR_SIGNATURE, "tag", "AES-GCM tag does not verify");
        goto out;
    }
    rc = CL_OK;
out:
    /* nothing appended on failure: wipe the unauthenticated plaintext and take it back */
    if (rc != CL_OK && out->len > start) {
        cl_wipe(out->ptr + start, out->len - start);
        out->len = start;
    }
    ERR_clear_error();
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}
