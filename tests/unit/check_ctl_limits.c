/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control server's limits: who may change things (a root test forks children that
 * become other users and groups; otherwise the test's own groups are used) and how many
 * connections a user, and everyone together, may hold.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_conn.h"
#include "ctl_fixture.h"
#include "ctl_tests.h"

START_TEST(test_privilege_rule)
{
	const gid_t groups[] = { 10, 20, 4242 };

	ck_assert(ctl_peer_privileged(0, 100, NULL, 0, (gid_t)-1));
	ck_assert(!ctl_peer_privileged(1000, 100, groups, 3, (gid_t)-1));
	ck_assert(ctl_peer_privileged(1000, 4242, NULL, 0, 4242));
	ck_assert(ctl_peer_privileged(1000, 100, groups, 3, 4242));
	ck_assert(!ctl_peer_privileged(1000, 100, groups, 2, 4242));
}
END_TEST

/* A child's view of one answer, with blocking reads: 0 or -errno, or 1 on any failure. */
static int child_status(int fd, uint32_t seq, char *why)
{
	struct timeval tv = { .tv_sec = 5 };
	union fx_buf u;
	ssize_t n;
	int err;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		n = recv(fd, u.b, sizeof(u.b), 0);
		if (n <= 0)
			return 1;
		for (const struct nlmsghdr *nlh = &u.nlh; mnl_nlmsg_ok(nlh, (int)n); nlh = mnl_nlmsg_next(nlh, (int *)&n))
			if (nlh->nlmsg_seq == seq && nlh->nlmsg_type == NLMSG_ERROR)
				return cli_status(nlh, &err, why, 256) < 0 ? 1 : err;
	}
}

struct identity {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t n_groups;
	int expect; /* of TUNNEL_DEL: 0 or -EPERM */
};

/* In a child: become who, then ask for a change and for the version. 0 if all went as expected. */
static int as_identity(const struct ctl_fixture *f, const struct identity *who)
{
	char why[256];
	int fd, r;

	if (setgroups(who->n_groups, who->groups) < 0 || setgid(who->gid) < 0 || setuid(who->uid) < 0)
		return 10;
	fd = fx_client(f);
	fx_send_request(fd, L2TPKD_CTL_MSG_TUNNEL_DEL, NLM_F_ACK, 1);
	r = child_status(fd, 1, why);
	if (r != who->expect)
		return 11;
	if (r == -EPERM && strcmp(why, "permission denied: needs root or group " L2TPKD_CTL_GROUP))
		return 12;
	fx_send_request(fd, L2TPKD_CTL_MSG_VERSION, NLM_F_ACK, 2); /* showing is open to all */
	return child_status(fd, 2, why) == 0 ? 0 : 13;
}

/* Runs who in a child process while this one runs the loop; the child's exit status. */
static int in_child(struct ctl_fixture *f, const struct identity *who)
{
	pid_t pid = fork();
	int status, i;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(as_identity(f, who));
	for (i = 0; i < 5000; i++) {
		fx_pump(f);
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 101;
}

/* A group this process is not a member of. */
static gid_t foreign_gid(void)
{
	gid_t groups[256], g = 4242;
	int n = getgroups(256, groups), i;

	for (i = 0; i < n; i++)
		if (groups[i] == g || getegid() == g) {
			g++;
			i = -1;
		}
	return g;
}

START_TEST(test_changes_need_privilege)
{
	const gid_t admin = foreign_gid(), nobody = 65534;
	struct ctl_fixture f;
	char why[256];
	int fd;

	if (geteuid() == 0) {
		const struct identity stranger = { nobody, nobody, NULL, 0, -EPERM };
		const struct identity primary = { nobody, admin, NULL, 0, 0 };
		const struct identity supplementary = { nobody, nobody, &admin, 1, 0 };
		struct stat st;

		fx_setup(&f, admin);
		/* The socket belongs to the admin group; open it to all so strangers get to ask. */
		ck_assert_int_eq(stat(f.path, &st), 0);
		ck_assert_uint_eq(st.st_gid, admin);
		ck_assert_int_eq(chmod(f.dir, 0755), 0);
		ck_assert_int_eq(chmod(f.path, 0666), 0);
		ck_assert_int_eq(in_child(&f, &stranger), 0);
		ck_assert_int_eq(in_child(&f, &primary), 0);
		ck_assert_int_eq(in_child(&f, &supplementary), 0);
		ck_assert_uint_eq(ctl_fake.deletes, 2);
	} else {
		/*
		 * Not root, and the socket can only be given one of our groups: refused while
		 * there is no admin group, allowed once it is ours.
		 */
		fx_setup(&f, (gid_t)-1);
		fd = fx_client(&f);
		fx_send_request(fd, L2TPKD_CTL_MSG_TUNNEL_DEL, NLM_F_ACK, 1);
		ck_assert_int_eq(fx_read_answer(&f, fd, L2TPKD_CTL_MSG_TUNNEL_DEL, 1, NULL, why), -EPERM);
		close(fd);
		ctl_server_free(f.srv);
		fx_open_server(&f, getegid());
		fd = fx_client(&f);
		fx_send_request(fd, L2TPKD_CTL_MSG_TUNNEL_DEL, NLM_F_ACK, 2);
		ck_assert_int_eq(fx_read_answer(&f, fd, L2TPKD_CTL_MSG_TUNNEL_DEL, 2, NULL, why), 0);
		ck_assert_uint_eq(ctl_fake.deletes, 1);
		close(fd);
	}
	fx_teardown(&f);
}
END_TEST

/* True if the server closed fd right after accepting it. */
static bool refused(struct ctl_fixture *f, int fd)
{
	union fx_buf u;

	fx_pump(f);
	return recv(fd, u.b, sizeof(u.b), MSG_DONTWAIT) == 0;
}

START_TEST(test_connection_limits)
{
	/* Unprivileged users: 8 connections each. Root: 64, and 16 more held in reserve. */
	unsigned limit = geteuid() == 0 ? 80 : 8, i;
	struct ctl_fixture f;
	int fds[80], extra;
	char why[256];

	fx_setup(&f, (gid_t)-1);
	for (i = 0; i < limit; i++) {
		fds[i] = fx_client(&f);
		if (refused(&f, fds[i]))
			ck_abort_msg("connection %u refused", i + 1);
	}
	extra = fx_client(&f);
	ck_assert(refused(&f, extra));
	close(extra);
	ck_assert_ptr_nonnull(strstr(ctl_fake.log, "too many connections"));
	fx_send_request(fds[0], L2TPKD_CTL_MSG_VERSION, NLM_F_ACK, 1);
	ck_assert_int_eq(fx_read_answer(&f, fds[0], L2TPKD_CTL_MSG_VERSION, 1, NULL, why), 0);
	close(fds[1]);
	fx_pump(&f);
	extra = fx_client(&f);
	ck_assert(!refused(&f, extra));
	close(extra);
	for (i = 0; i < limit; i++)
		if (i != 1)
			close(fds[i]);
	fx_teardown(&f);
}
END_TEST

TCase *tcase_ctl_server_limits(void)
{
	TCase *tc = tcase_create("server_limits");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_privilege_rule);
	tcase_add_test(tc, test_changes_need_privilege);
	tcase_add_test(tc, test_connection_limits);
	return tc;
}
