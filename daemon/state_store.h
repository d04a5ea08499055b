/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's durable state (design.md section 1, point 4): fixed-size records in a memfd
 * that systemd keeps in its fd store, so a daemon killed with kill -9 and started again adopts
 * the memfd and reads its tunnels back. Records are opaque bytes under a 64-bit key chosen by
 * the caller; each change is one pwrite() of one record's slot, never a rewrite of the file,
 * and there is no disk I/O.
 *
 * The file, all integers little-endian, every slot 256 bytes and 256-aligned (so a slot never
 * straddles a page and one pwrite() of it is not torn by kill -9):
 *   slot 0, the header: "L2TPKDST", store format version, the caller's payload version, slot
 *     size, number of record slots after it, CRC-32 of those 24 bytes; the rest zero.
 *   slots 1..N, the records: CRC-32 of the slot's other 252 bytes, flags (1: a record),
 *     payload length, key, payload (zero after the payload). A free slot is all zero.
 * An adopted file is untrusted: anything that does not check out is refused (the header) or
 * dropped and zeroed (a record), never passed on.
 */
#ifndef L2TPKD_STATE_STORE_H
#define L2TPKD_STATE_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STATE_STORE_PAYLOAD_MAX 240 /* bytes of one record's payload */

struct state_store;

/*
 * A new, empty store in a fresh memfd named "l2tpkd-state" (MFD_CLOEXEC: the owner clears it
 * before an exec). payload_version: the caller's record format; a store written with another
 * is refused on adopt. max_records (at least 1) bounds the file. 0, -EINVAL or -errno.
 */
int state_store_new(struct state_store **out, uint32_t payload_version, uint32_t max_records);

/*
 * Adopts fd, a store's memfd from an earlier process (it must be a regular file open
 * read-write, else -EINVAL). Checks the header (magic, its CRC, store format version,
 * payload_version, slot size, a slot count at most max_records that the file really holds); a
 * bad one is -EPROTO. Then calls fn (may be NULL) for every record that checks out, in file
 * order. A slot that fails its CRC, has impossible contents or repeats an earlier slot's key
 * is counted in *bad (may be NULL) and zeroed, never passed to fn. If fn returns < 0 adoption
 * stops and returns that. On any failure *out is NULL, the fd is not taken (the caller closes
 * it) and why (may be NULL) holds a one-line reason; the file is written only once every
 * record has been accepted. On success the store owns fd, and later puts and drops of adopted
 * keys update their slots in place.
 */
int state_store_adopt(struct state_store **out, int fd, uint32_t payload_version, uint32_t max_records,
		      int (*fn)(uint64_t key, const void *payload, size_t len, void *arg), void *arg,
		      size_t *bad, char *why, size_t why_len);

/*
 * Writes the record for key, creating its slot on the first put: one pwrite() of the slot
 * (growing the file first when no slot is free). len 0 is a record too. 0, -EMSGSIZE (len >
 * STATE_STORE_PAYLOAD_MAX), -ENOSPC (max_records held), -ENOMEM or -errno from pwrite() or
 * ftruncate(). After a failure the store holds what it held before.
 */
int state_store_put(struct state_store *s, uint64_t key, const void *payload, size_t len);

/* Forgets key (nothing if absent): its slot is zeroed on file and reused later. */
void state_store_drop(struct state_store *s, uint64_t key);

int state_store_fd(const struct state_store *s);
/* Records held. */
uint32_t state_store_count(const struct state_store *s);
/* Closes the fd; NULL is fine. */
void state_store_free(struct state_store *s);

#endif
