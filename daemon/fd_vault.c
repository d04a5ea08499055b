/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fd vault (fd_vault.h): files kept in flight in AF_UNIX datagram queues, so that a few
 * fd store entries carry any number of them across a restart.
 *
 * A datagram is a header (magic, count) and count entries (key, serial), with the count files
 * attached. The live map holds each kept key's serial: an entry is live when its serial is the
 * key's current one, so re-putting a key needs no removal from the middle of a queue.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fd_vault.h"
#include "hmap.h"

/* "l2fv" and the layout's version (the bucket count is part of it: keys hash to buckets). */
#define VAULT_MAGIC (0x6c326676u ^ FD_VAULT_BUCKETS)
#define HEADER_LEN  8
#define ENTRY_LEN   12
/* The kernel's SCM_MAX_FD: files in one datagram. */
#define BATCH_MAX    253
#define DATAGRAM_MAX (HEADER_LEN + BATCH_MAX * ENTRY_LEN)
/* A bucket is rebuilt once this many dead entries or small datagrams are past its need. */
#define REBUILD_SLACK 32
/* Queued datagrams are charged to the write end until read: room for a large bucket. */
#define SEND_BUFFER (8 << 20)
#define NAME_LEN    24

struct bucket {
	int rd, wr; /* the current pair, -1 when the bucket has none */
	uint32_t gen;
	bool stored;	    /* rd is in the fd store under its name */
	bool urgent;	    /* a dropped file must leave at the next settle */
	uint32_t live;	    /* keys of this bucket that are kept */
	uint32_t queued;    /* entries in the queue, dead ones included */
	uint32_t datagrams; /* datagrams in the queue */
};

struct live_key {
	struct hnode node;
	uint64_t key;
	uint32_t serial;
};

/* A read end an earlier process stored. */
struct inherited {
	int fd;
	unsigned bucket;
	uint32_t gen;
	char name[NAME_LEN];
};

/* A file read back from an inherited queue. */
struct adopted {
	uint64_t key;
	uint32_t order; /* position across the queues: of two entries of a key the later wins */
	int fd;		/* -1 once taken or handed out */
};

struct fd_vault {
	struct fd_vault_ops ops;
	struct bucket buckets[FD_VAULT_BUCKETS];
	struct hmap live;
	uint32_t serial;
	uint32_t next_gen;
	uint32_t rebuilds;
	bool adopting; /* between open() and commit(): new queues are not stored yet */
	struct inherited *inh;
	size_t n_inh;
	struct adopted *adopted;
	size_t n_adopted, leftover_pos;
};

static uint32_t key_hash(uint64_t key)
{
	return hmap_mix((uint32_t)key ^ hmap_mix((uint32_t)(key >> 32)));
}

static struct bucket *bucket_of(struct fd_vault *v, uint64_t key)
{
	return &v->buckets[key_hash(key) % FD_VAULT_BUCKETS];
}

/* b is one of v->buckets: its index is part of the name. */
static void bucket_name(const struct fd_vault *v, const struct bucket *b, char *name)
{
	snprintf(name, NAME_LEN, "v%x.%x", (unsigned)(b - v->buckets), b->gen);
}

static struct live_key *live_find(const struct fd_vault *v, uint64_t key)
{
	for (struct hnode *n = hmap_first(&v->live, key_hash(key)); n; n = hmap_next(n)) {
		struct live_key *k = hmap_entry(n, struct live_key, node);

		if (k->key == key)
			return k;
	}
	return NULL;
}

static void close_fds(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

/* Sends n entries and their files as one datagram; the files stay the caller's. */
static int send_entries(int wr, const uint64_t *keys, const uint32_t *serials, const int *fds, size_t n)
{
	uint8_t buf[DATAGRAM_MAX];
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(BATCH_MAX * sizeof(int))];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = HEADER_LEN + n * ENTRY_LEN };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	uint32_t magic = VAULT_MAGIC, count = (uint32_t)n;

	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &count, 4);
	for (size_t i = 0; i < n; i++) {
		memcpy(buf + HEADER_LEN + i * ENTRY_LEN, &keys[i], 8);
		memcpy(buf + HEADER_LEN + i * ENTRY_LEN + 8, &serials[i], 4);
	}
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(wr, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/*
 * Reads every entry of a queue without taking it out (each file comes as a new fd the callback
 * owns). -EBADMSG at the first datagram not of ours: the callbacks made so far stand.
 */
static int peek_entries(int rd, void (*cb)(void *ctx, uint64_t key, uint32_t serial, int fd), void *ctx)
{
	uint8_t buf[DATAGRAM_MAX];
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(BATCH_MAX * sizeof(int))];
	} control;
	int off = 0;

	/* The offset makes each peek move on to the next datagram; it starts at the head. */
	if (setsockopt(rd, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off)) < 0)
		return -errno;
	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = { .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = control.buf,
				     .msg_controllen = sizeof(control.buf) };
		ssize_t n = recvmsg(rd, &mh, MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		const int *fds = NULL;
		size_t n_fds = 0;
		uint32_t magic, count;

		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && !fds) {
				fds = (const int *)(void *)CMSG_DATA(c);
				n_fds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			}
		if (n >= HEADER_LEN) {
			memcpy(&magic, buf, 4);
			memcpy(&count, buf + 4, 4);
		}
		if (n < HEADER_LEN || magic != VAULT_MAGIC || count > BATCH_MAX ||
		    (size_t)n != HEADER_LEN + count * ENTRY_LEN || n_fds != count ||
		    (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
			close_fds(fds, n_fds);
			return -EBADMSG;
		}
		for (size_t i = 0; i < count; i++) {
			uint64_t key;
			uint32_t serial;
			int fd;

			memcpy(&key, buf + HEADER_LEN + i * ENTRY_LEN, 8);
			memcpy(&serial, buf + HEADER_LEN + i * ENTRY_LEN + 8, 4);
			memcpy(&fd, &fds[i], sizeof(fd));
			cb(ctx, key, serial, fd);
		}
	}
}

static int pair_open(struct bucket *b)
{
	int sv[2], size = SEND_BUFFER;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
		return -errno;
	/* Over the sysctl cap with CAP_NET_ADMIN; up to the cap without it. */
	if (setsockopt(sv[1], SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	b->rd = sv[0];
	b->wr = sv[1];
	b->queued = b->datagrams = 0;
	return 0;
}

static void pair_close(struct bucket *b)
{
	if (b->rd >= 0)
		close(b->rd);
	if (b->wr >= 0)
		close(b->wr);
	b->rd = b->wr = -1;
	b->stored = false;
}

static void pair_store(struct fd_vault *v, struct bucket *b)
{
	char name[NAME_LEN];

	bucket_name(v, b, name);
	v->ops.store(v->ops.ctx, b->rd, name);
	b->stored = true;
}

/* A new, empty pair for the bucket: stored at once, unless an adoption is under way. */
static int bucket_open(struct fd_vault *v, struct bucket *b)
{
	int r = pair_open(b);

	if (r < 0)
		return r;
	b->gen = v->next_gen++;
	if (!v->adopting)
		pair_store(v, b);
	return 0;
}

/* Live entries of one bucket on their way into a new queue, a datagram at a time. */
struct rebuild {
	struct fd_vault *v;
	int wr;
	int err;
	size_t n;
	uint32_t sent;
	uint32_t datagrams;
	uint64_t keys[BATCH_MAX];
	uint32_t serials[BATCH_MAX];
	int fds[BATCH_MAX];
};

static void rebuild_flush(struct rebuild *rb)
{
	if (rb->n && !rb->err)
		rb->err = send_entries(rb->wr, rb->keys, rb->serials, rb->fds, rb->n);
	if (!rb->err) {
		rb->sent += (uint32_t)rb->n;
		rb->datagrams++;
	}
	close_fds(rb->fds, rb->n);
	rb->n = 0;
}

static void rebuild_entry(void *ctx, uint64_t key, uint32_t serial, int fd)
{
	struct rebuild *rb = ctx;
	const struct live_key *k = live_find(rb->v, key);

	if (!k || k->serial != serial) {
		close(fd);
		return;
	}
	rb->keys[rb->n] = key;
	rb->serials[rb->n] = serial;
	rb->fds[rb->n++] = fd;
	if (rb->n == BATCH_MAX)
		rebuild_flush(rb);
}

/*
 * The bucket's live entries copied into a new pair, stored before the old one is removed; a
 * bucket with none left just goes. On failure the old pair stays as it was.
 */
static int bucket_rebuild(struct fd_vault *v, struct bucket *b)
{
	struct bucket old = *b, fresh = { .rd = -1, .wr = -1, .live = b->live };
	struct rebuild rb = { .v = v };
	char old_name[NAME_LEN];
	int r;

	if (b->live) {
		r = pair_open(&fresh);
		if (r < 0)
			return r;
		rb.wr = fresh.wr;
		r = peek_entries(b->rd, rebuild_entry, &rb);
		if (rb.n)
			rebuild_flush(&rb);
		if (r == 0)
			r = rb.err;
		/* Every live key must have come through, or the old pair stays the true one. */
		if (r == 0 && rb.sent != b->live)
			r = -EIO;
		if (r < 0) {
			pair_close(&fresh);
			return r;
		}
		fresh.gen = v->next_gen++;
		fresh.queued = rb.sent;
		fresh.datagrams = rb.datagrams;
	}
	bucket_name(v, b, old_name);
	*b = fresh;
	if (b->rd >= 0 && !v->adopting)
		pair_store(v, b);
	if (old.stored)
		v->ops.unstore(v->ops.ctx, old_name);
	pair_close(&old);
	v->rebuilds++;
	return 0;
}

int fd_vault_new(struct fd_vault **out, const struct fd_vault_ops *ops)
{
	struct fd_vault *v = calloc(1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	v->ops = *ops;
	for (size_t i = 0; i < FD_VAULT_BUCKETS; i++)
		v->buckets[i].rd = v->buckets[i].wr = -1;
	hmap_init(&v->live);
	*out = v;
	return 0;
}

static void adopted_close_all(struct fd_vault *v)
{
	for (size_t i = 0; i < v->n_adopted; i++)
		if (v->adopted[i].fd >= 0)
			close(v->adopted[i].fd);
	free(v->adopted);
	v->adopted = NULL;
	v->n_adopted = v->leftover_pos = 0;
}

void fd_vault_free(struct fd_vault *v)
{
	struct hnode *n;

	if (!v)
		return;
	for (size_t i = 0; i < FD_VAULT_BUCKETS; i++)
		pair_close(&v->buckets[i]);
	for (size_t i = 0; i < v->n_inh; i++)
		close(v->inh[i].fd);
	free(v->inh);
	adopted_close_all(v);
	while ((n = hmap_iter(&v->live, NULL))) {
		hmap_remove(&v->live, n);
		free(hmap_entry(n, struct live_key, node));
	}
	hmap_destroy(&v->live);
	free(v);
}

/* Lower-case hex digits, 1 to 8 of them, up to the first other character. */
static const char *parse_hex(const char *s, uint32_t *val)
{
	size_t n = 0;

	*val = 0;
	for (; (s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'); n++) {
		if (n == 8)
			return NULL;
		*val = *val << 4 | (uint32_t)(s[n] <= '9' ? s[n] - '0' : s[n] - 'a' + 10);
	}
	return n ? s + n : NULL;
}

/* "v<bucket>.<generation>", both in hex. */
static bool parse_name(const char *name, unsigned *bucket, uint32_t *gen)
{
	uint32_t b;
	const char *p = name[0] == 'v' ? parse_hex(name + 1, &b) : NULL;

	if (!p || *p != '.' || b >= FD_VAULT_BUCKETS)
		return false;
	p = parse_hex(p + 1, gen);
	if (!p || *p)
		return false;
	*bucket = b;
	return true;
}

bool fd_vault_owns_name(const char *name)
{
	unsigned bucket;
	uint32_t gen;

	return parse_name(name, &bucket, &gen);
}

int fd_vault_inherit(struct fd_vault *v, int fd, const char *name)
{
	struct inherited *inh;
	unsigned bucket;
	uint32_t gen;

	if (!parse_name(name, &bucket, &gen)) {
		close(fd);
		return -EINVAL;
	}
	inh = realloc(v->inh, (v->n_inh + 1) * sizeof(*inh));
	if (!inh) {
		close(fd);
		return -ENOMEM;
	}
	v->inh = inh;
	inh[v->n_inh] = (struct inherited){ .fd = fd, .bucket = bucket, .gen = gen };
	snprintf(inh[v->n_inh].name, NAME_LEN, "%s", name);
	v->n_inh++;
	/* Generations go on from the newest, so that no name of the earlier process is reused. */
	if (gen >= v->next_gen)
		v->next_gen = gen + 1;
	return 0;
}

struct collect {
	struct fd_vault *v;
	int err;
};

static void adopt_entry(void *ctx, uint64_t key, uint32_t serial, int fd)
{
	struct collect *c = ctx;
	struct fd_vault *v = c->v;
	struct adopted *a = c->err ? NULL : realloc(v->adopted, (v->n_adopted + 1) * sizeof(*a));

	(void)serial;
	if (!a) {
		c->err = -ENOMEM;
		close(fd);
		return;
	}
	v->adopted = a;
	a[v->n_adopted] = (struct adopted){ .key = key, .order = (uint32_t)v->n_adopted, .fd = fd };
	v->n_adopted++;
}

static int by_key_then_order(const void *x, const void *y)
{
	const struct adopted *a = x, *b = y;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* Is inh the newest generation stored for its bucket? */
static bool newest_of_bucket(const struct fd_vault *v, const struct inherited *inh)
{
	for (size_t i = 0; i < v->n_inh; i++)
		if (v->inh[i].bucket == inh->bucket && v->inh[i].gen > inh->gen)
			return false;
	return true;
}

int fd_vault_open(struct fd_vault *v, void (*log_cb)(void *ctx, const char *what), void *log_ctx)
{
	struct collect c = { .v = v };
	char what[96];
	size_t kept = 0;

	v->adopting = true;
	for (size_t i = 0; i < v->n_inh && !c.err; i++) {
		size_t before = v->n_adopted;
		int r;

		/* An older generation is what a crash during a rebuild left: the newer one is whole. */
		if (!newest_of_bucket(v, &v->inh[i]))
			continue;
		r = peek_entries(v->inh[i].fd, adopt_entry, &c);
		if (r < 0 && !c.err) {
			snprintf(what, sizeof(what), "fd vault %s unreadable (%s): its files are lost",
				 v->inh[i].name, strerror(-r));
			log_cb(log_ctx, what);
			for (size_t j = before; j < v->n_adopted; j++)
				close(v->adopted[j].fd);
			v->n_adopted = before;
		}
	}
	if (c.err)
		return c.err;
	/* Of several entries of one key, the last put is the true one. */
	if (v->n_adopted)
		qsort(v->adopted, v->n_adopted, sizeof(*v->adopted), by_key_then_order);
	for (size_t i = 0; i < v->n_adopted; i++) {
		if (i + 1 < v->n_adopted && v->adopted[i + 1].key == v->adopted[i].key) {
			close(v->adopted[i].fd);
			continue;
		}
		v->adopted[kept++] = v->adopted[i];
	}
	v->n_adopted = kept;
	return 0;
}

int fd_vault_take(struct fd_vault *v, uint64_t key)
{
	struct adopted want = { .key = key }, *a;
	size_t lo = 0, hi = v->n_adopted;
	int fd;

	/* Keys are unique after open(): a plain binary search on the key. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v->adopted[mid].key < want.key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == v->n_adopted || v->adopted[lo].key != key)
		return -1;
	a = &v->adopted[lo];
	fd = a->fd;
	a->fd = -1;
	return fd;
}

bool fd_vault_next_leftover(struct fd_vault *v, uint64_t *key, int *fd)
{
	while (v->leftover_pos < v->n_adopted) {
		struct adopted *a = &v->adopted[v->leftover_pos++];

		if (a->fd >= 0) {
			*key = a->key;
			*fd = a->fd;
			a->fd = -1;
			return true;
		}
	}
	return false;
}

int fd_vault_commit(struct fd_vault *v)
{
	if (!v->adopting)
		return -EINVAL;
	for (size_t i = 0; i < FD_VAULT_BUCKETS; i++)
		if (v->buckets[i].rd >= 0 && !v->buckets[i].stored)
			pair_store(v, &v->buckets[i]);
	/* The new queues are stored and whole: what the earlier process left can go. */
	for (size_t i = 0; i < v->n_inh; i++) {
		v->ops.unstore(v->ops.ctx, v->inh[i].name);
		close(v->inh[i].fd);
	}
	free(v->inh);
	v->inh = NULL;
	v->n_inh = 0;
	adopted_close_all(v);
	v->adopting = false;
	return 0;
}

static void live_forget(struct fd_vault *v, struct live_key *k)
{
	hmap_remove(&v->live, &k->node);
	bucket_of(v, k->key)->live--;
	free(k);
}

int fd_vault_put(struct fd_vault *v, uint64_t key, int fd)
{
	struct bucket *b = bucket_of(v, key);
	struct live_key *k = live_find(v, key), *fresh = NULL;
	uint32_t serial = ++v->serial;
	int r = fd < 0 ? -EBADF : 0;

	if (r == 0 && !k && !(fresh = calloc(1, sizeof(*fresh))))
		r = -ENOMEM;
	if (r == 0 && b->rd < 0)
		r = bucket_open(v, b);
	if (r == 0) {
		r = send_entries(b->wr, &key, &serial, &fd, 1);
		/* A full queue: packed tight (dead entries out, 253 files a datagram), then again. */
		if ((r == -EAGAIN || r == -ENOBUFS) && bucket_rebuild(v, b) == 0 &&
		    (b->rd >= 0 || bucket_open(v, b) == 0))
			r = send_entries(b->wr, &key, &serial, &fd, 1);
	}
	if (r == 0) {
		b->queued++;
		b->datagrams++;
	}
	if (r == 0 && fresh) {
		fresh->key = key;
		r = hmap_insert(&v->live, &fresh->node, key_hash(key));
		if (r == 0) {
			b->live++;
			k = fresh;
			fresh = NULL;
		}
	}
	free(fresh);
	if (r < 0) {
		/* Not kept: an earlier file of the key must not come back in its place. */
		if (k) {
			live_forget(v, k);
			b->urgent = true;
		}
		return r;
	}
	k->serial = serial;
	return 0;
}

void fd_vault_drop(struct fd_vault *v, uint64_t key, bool urgent)
{
	struct live_key *k = live_find(v, key);

	if (!k)
		return;
	if (urgent)
		bucket_of(v, key)->urgent = true;
	live_forget(v, k);
}

/* A bucket with nothing live left is closed: no stale file stays open for long. */
static bool needs_rebuild(const struct bucket *b)
{
	return b->urgent || !b->live || b->queued - b->live > b->live + REBUILD_SLACK ||
	       b->datagrams > REBUILD_SLACK + b->live / (BATCH_MAX / 4);
}

int fd_vault_settle(struct fd_vault *v)
{
	int err = 0;

	/* During an adoption too: a rebuilt queue is then stored at commit() with the others. */
	for (size_t i = 0; i < FD_VAULT_BUCKETS; i++) {
		struct bucket *b = &v->buckets[i];
		int r;

		if (b->rd < 0 || !needs_rebuild(b))
			continue;
		r = bucket_rebuild(v, b);
		if (r < 0 && !err)
			err = r;
	}
	return err;
}

int fd_vault_walk_stored(const struct fd_vault *v, int (*cb)(void *ctx, int fd, const char *name), void *ctx)
{
	char name[NAME_LEN];

	for (size_t i = 0; i < FD_VAULT_BUCKETS; i++) {
		const struct bucket *b = &v->buckets[i];
		int r;

		if (!b->stored)
			continue;
		bucket_name(v, b, name);
		r = cb(ctx, b->rd, name);
		if (r < 0)
			return r;
	}
	return 0;
}

void fd_vault_stats(const struct fd_vault *v, struct fd_vault_stats *out)
{
	*out = (struct fd_vault_stats){ .rebuilds = v->rebuilds };
	for (size_t i = 0; i < FD_VAULT_BUCKETS; i++) {
		out->live += v->buckets[i].live;
		out->queued += v->buckets[i].queued;
		out->messages += v->buckets[i].datagrams;
	}
}
