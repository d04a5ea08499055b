/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control server under test (ctl_fixture.h): a fake command table with a reply, a
 * refusal, a change, a paced dump and a subscription; a server on a socket in a temporary
 * directory on its own sd-event loop; raw clients that send requests and read answers while
 * the loop runs.
 */
#include "ctl_fixture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <check.h>

#include "cli_conn.h"

struct ctl_fake ctl_fake;

static int fake_version(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	struct ctl_msg m;

	ctl_out_begin(out, &m);
	ctl_put_u32(&m, L2TPKD_CTL_A_PROTO_VERSION, L2TPKD_CTL_PROTO_VERSION);
	ctl_put_str(&m, L2TPKD_CTL_A_DAEMON_VERSION, "test", L2TPKD_CTL_TEXT_MAX);
	return ctl_out_end(out, &m);
}

static int fake_refuse(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	struct ctl_msg m;

	ctl_out_begin(out, &m); /* a half answer: must not reach the client */
	ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, 1);
	ctl_out_end(out, &m);
	snprintf(why, why_len, "no such thing");
	return -ENOENT;
}

static int fake_delete(const struct ctl_request *req, struct ctl_out *out, char *why, size_t why_len)
{
	ctl_fake.deletes++;
	return 0;
}

static int fake_dump_start(const struct ctl_request *req, void **state, char *why, size_t why_len)
{
	*state = calloc(1, sizeof(unsigned));
	return *state ? 0 : -ENOMEM;
}

static int fake_dump_next(void *ctx, void *state, struct ctl_out *out, char *why, size_t why_len)
{
	unsigned *next = state;
	char pad[CTL_FAKE_PAD];
	struct ctl_msg m;
	int r;

	memset(pad, 'x', sizeof(pad));
	pad[sizeof(pad) - 1] = '\0';
	for (; *next < ctl_fake.objects && !ctl_out_full(out); ++*next) {
		ctl_out_begin(out, &m);
		ctl_put_u16(&m, L2TPKD_CTL_A_TUNNEL_ID, (uint16_t)(*next + 1));
		ctl_put_str(&m, L2TPKD_CTL_A_PEER_HOST_NAME, pad, sizeof(pad));
		r = ctl_out_end(out, &m);
		if (r < 0)
			return r;
		ctl_fake.emitted++;
	}
	return *next < ctl_fake.objects;
}

static void fake_dump_free(void *state)
{
	ctl_fake.dump_frees++;
	free(state);
}

static void fake_log(void *ctx, const char *text)
{
	snprintf(ctl_fake.log, sizeof(ctl_fake.log), "%s", text);
}

static const struct ctl_command fake_commands[] = {
	{ .type = L2TPKD_CTL_MSG_VERSION, .doit = fake_version },
	{ .type = L2TPKD_CTL_MSG_SESSION_ADD, .doit = fake_refuse },
	{ .type = L2TPKD_CTL_MSG_TUNNEL_DEL, .changes = true, .doit = fake_delete },
	{ .type = L2TPKD_CTL_MSG_TUNNEL_GET,
	  .dump_start = fake_dump_start,
	  .dump_next = fake_dump_next,
	  .dump_free = fake_dump_free },
	{ .type = L2TPKD_CTL_MSG_MONITOR, .subscribes = true },
};

void fx_open_server(struct ctl_fixture *f, gid_t admin_gid)
{
	struct ctl_server_config cfg = {
		.path = f->path,
		.commands = fake_commands,
		.n_commands = sizeof(fake_commands) / sizeof(fake_commands[0]),
		.admin_gid = admin_gid,
		.log = fake_log,
	};
	char why[256] = "";

	ck_assert_msg(ctl_server_open(f->ev, &cfg, &f->srv, why, sizeof(why)) == 0, "%s", why);
}

void fx_setup(struct ctl_fixture *f, gid_t admin_gid)
{
	memset(&ctl_fake, 0, sizeof(ctl_fake));
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/l2tpctl-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/control", f->dir);
	ck_assert_int_ge(sd_event_new(&f->ev), 0);
	fx_open_server(f, admin_gid);
}

void fx_teardown(struct ctl_fixture *f)
{
	ctl_server_free(f->srv);
	sd_event_unref(f->ev);
	rmdir(f->dir);
}

void fx_pump(struct ctl_fixture *f)
{
	int i;

	for (i = 0; i < 10000 && sd_event_run(f->ev, 0) > 0; i++)
		;
}

int fx_client(const struct ctl_fixture *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memcpy(sa.sun_path, f->path, strlen(f->path));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

void fx_send_raw(int fd, const void *buf, size_t len)
{
	ck_assert_int_eq(send(fd, buf, len, 0), (ssize_t)len);
}

void fx_send_request(int fd, uint16_t type, uint16_t flags, uint32_t seq)
{
	union fx_buf u;
	struct ctl_msg m;

	ctl_msg_init(&m, u.b, sizeof(u.b), type, NLM_F_REQUEST | flags, seq, 0);
	ctl_put_u32(&m, L2TPKD_CTL_A_PROTO_VERSION, L2TPKD_CTL_PROTO_VERSION);
	fx_send_raw(fd, u.b, u.nlh.nlmsg_len);
}

ssize_t fx_next_dgram(struct ctl_fixture *f, int fd, union fx_buf *u)
{
	ssize_t n;
	int i;

	for (i = 0; i < 1000; i++) {
		fx_pump(f);
		n = recv(fd, u->b, sizeof(u->b), MSG_DONTWAIT);
		if (n >= 0)
			return n;
		ck_assert_int_eq(errno, EAGAIN);
		usleep(1000);
	}
	ck_abort_msg("no answer from the server");
	return -1;
}

int fx_read_answer(struct ctl_fixture *f, int fd, uint16_t type, uint32_t seq, unsigned *replies, char *why)
{
	union fx_buf u;
	bool done = false;
	int err = 0;
	ssize_t n;

	while (!done) {
		n = fx_next_dgram(f, fd, &u);
		ck_assert_int_gt(n, 0);
		ck_assert_int_le(n, L2TPKD_CTL_DGRAM_MAX);
		for (const struct nlmsghdr *nlh = &u.nlh; mnl_nlmsg_ok(nlh, (int)n);
		     nlh = mnl_nlmsg_next(nlh, (int *)&n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
				ck_assert_int_eq(cli_status(nlh, &err, why, 256), 0);
				done = true;
			} else {
				ck_assert_uint_eq(nlh->nlmsg_type, type);
				if (replies)
					++*replies;
			}
		}
	}
	return err;
}
