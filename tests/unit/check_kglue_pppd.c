/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pppd as kglue starts it: the argument vector for each role and knob, and spawning a fake pppd
 * (a shell script that reports its words, pid, signals and open file descriptors) to check the
 * child is clean: only the PPPoL2TP socket kept, off stdio, signals reset, exec failures reported.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kglue_int.h"
#include "kglue_tests.h"
#include "suites.h"

/* ---- the pppd argument vector ---- */

static void expect_argv(const char **argv, int n, const char *const *want)
{
	int i;

	for (i = 0; want[i]; i++) {
		ck_assert_int_lt(i, n);
		ck_assert_str_eq(argv[i], want[i]);
	}
	ck_assert_int_eq(n, i);
	ck_assert_ptr_null(argv[n]);
}

START_TEST(test_argv_lns)
{
	const char *const defaults[] = { "lcp-max-terminate", "1", NULL };
	const char *const extra[] = { "mtu", "1400", "updetach", NULL };
	const struct kglue_pppd p = { .plugin = "pppol2tp.so",
				      .defaults = defaults,
				      .pppox_fd = 17,
				      .lns_mode = true,
				      .send_seq = true,
				      .recv_seq = true,
				      .reorder_ms = 300,
				      .tunnel_id = 65535,
				      .session_id = 1,
				      .options_file = "/etc/ppp/options.lns",
				      .extra = extra };
	const char *const want[] = {
		"pppd", "plugin", "pppol2tp.so", "pppol2tp", "17", "pppol2tp_lns_mode", "pppol2tp_send_seq",
		"pppol2tp_recv_seq", "pppol2tp_reorderto", "300", "pppol2tp_tunnel_id", "65535",
		/* defaults before the options file, which may change them */
		"pppol2tp_session_id", "1", "lcp-max-terminate", "1", "file", "/etc/ppp/options.lns", "mtu",
		"1400", "updetach",
		/* last: pppd lets the last of equal priority win, so updetach is undone */
		"nodetach", NULL
	};
	char fd_word[16], reorder_word[16], tid_word[8], sid_word[8];
	const char *argv[32];
	int n = kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32);

	expect_argv(argv, n, want);
}
END_TEST

START_TEST(test_argv_lac)
{
	const struct kglue_pppd p = { .plugin = "/usr/lib/pppd/2.4.9/pppol2tp.so",
				      .pppox_fd = 3,
				      .tunnel_id = 4242,
				      .session_id = 65535 };
	const char *const want[] = { "pppd",
				     "plugin",
				     "/usr/lib/pppd/2.4.9/pppol2tp.so",
				     "pppol2tp",
				     "3",
				     "pppol2tp_tunnel_id",
				     "4242",
				     "pppol2tp_session_id",
				     "65535",
				     "nodetach",
				     NULL };
	char fd_word[16], reorder_word[16], tid_word[8], sid_word[8];
	const char *argv[32];
	int n = kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32);

	expect_argv(argv, n, want);
}
END_TEST

START_TEST(test_argv_send_seq_only)
{
	const char *const extra[] = { NULL };
	const struct kglue_pppd p = { .plugin = "pppol2tp.so",
				      .pppox_fd = 2147483647,
				      .send_seq = true,
				      .reorder_ms = 2147483647,
				      .tunnel_id = 1,
				      .session_id = 2,
				      .extra = extra };
	const char *const want[] = { "pppd",
				     "plugin",
				     "pppol2tp.so",
				     "pppol2tp",
				     "2147483647",
				     "pppol2tp_send_seq",
				     "pppol2tp_reorderto",
				     "2147483647",
				     "pppol2tp_tunnel_id",
				     "1",
				     "pppol2tp_session_id",
				     "2",
				     "nodetach",
				     NULL };
	char fd_word[16], reorder_word[16], tid_word[8], sid_word[8];
	const char *argv[32];
	int n = kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32);

	expect_argv(argv, n, want);
}
END_TEST

START_TEST(test_argv_too_small)
{
	const struct kglue_pppd p = {
		.plugin = "pppol2tp.so", .pppox_fd = 3, .tunnel_id = 1, .session_id = 2
	};
	char fd_word[16], reorder_word[16], tid_word[8], sid_word[8];
	const char *argv[11];
	int n = kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 11);

	/* 10 words and the NULL: 11 entries fit, 10 do not, nor does nothing. */
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 10), -E2BIG);
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 1), -E2BIG);
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 0), -E2BIG);
}
END_TEST

START_TEST(test_argv_refuses_bad_input)
{
	struct kglue_pppd p = { .plugin = "pppol2tp.so", .pppox_fd = 3, .tunnel_id = 1, .session_id = 2 };
	char fd_word[16], reorder_word[16], tid_word[8], sid_word[8];
	const char *argv[32];

	p.pppox_fd = -1;
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32), -EBADF);
	p.pppox_fd = 3;
	p.session_id = 0;
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32), -EINVAL);
	p.session_id = 2;
	p.plugin = NULL;
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32), -EINVAL);
	p.plugin = "pppol2tp.so";
	p.reorder_ms = (uint32_t)INT_MAX + 1;
	ck_assert_int_eq(kglue_pppd_argv(&p, fd_word, reorder_word, tid_word, sid_word, argv, 32), -ERANGE);
}
END_TEST

/* ---- spawning a fake pppd ---- */

static char fake_dir[64];
static char fake_pppd[96];

/* Reports its words, its pid and session and its open fds, then exits 3. */
static const char fake_script[] = "#!/bin/sh\n"
				  "echo \"argv: $*\"\n"
				  "set -- $(cat /proc/$$/stat)\n"
				  "echo \"stat: $1 $6\"\n"
				  "ls -l /proc/self/fd\n"
				  "exit 3\n";

static void fake_setup(void)
{
	FILE *f;

	snprintf(fake_dir, sizeof(fake_dir), "/tmp/kglue-check-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fake_dir));
	snprintf(fake_pppd, sizeof(fake_pppd), "%s/pppd", fake_dir);
	f = fopen(fake_pppd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(fake_script, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(fake_pppd, 0700), 0);
}

static void fake_teardown(void)
{
	unlink(fake_pppd);
	rmdir(fake_dir);
}

/* Everything pppd wrote, up to EOF (all its writers gone). */
static void read_log(int fd, char *out, size_t len)
{
	size_t n = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		ck_assert_int_eq(poll(&p, 1, 10000), 1);
		r = read(fd, out + n, len - 1 - n);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		ck_assert_int_ge(r, 0);
		if (r == 0 || (n += (size_t)r) == len - 1)
			break;
	}
	out[n] = '\0';
}

/* pppd has exited: the pidfd is readable and waitid() gives its status. */
static int wait_exit(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	siginfo_t si;

	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	memset(&si, 0, sizeof(si));
	ck_assert_int_eq(waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED), 0);
	ck_assert_int_eq(si.si_code, CLD_EXITED);
	return si.si_status;
}

struct fd_entry {
	int fd;
	char target[128];
};

/* The "N -> target" lines of ls -l /proc/self/fd, without ls's own directory fd. */
static int parse_fds(const char *log, struct fd_entry *e, int max)
{
	const char *line = log;
	int n = 0;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		const char *arrow = strstr(line, " -> ");
		const char *num;
		size_t tlen;

		if (!end)
			end = line + strlen(line);
		if (arrow && arrow < end) {
			for (num = arrow; num > line && num[-1] != ' '; num--)
				;
			tlen = (size_t)(end - (arrow + 4));
			if (tlen >= sizeof(e[0].target))
				tlen = sizeof(e[0].target) - 1;
			if (!(strncmp(arrow + 4, "/proc/", 6) == 0 && tlen > 3 &&
			      strncmp(end - 3, "/fd", 3) == 0)) {
				ck_assert_int_lt(n, max);
				e[n].fd = atoi(num);
				memcpy(e[n].target, arrow + 4, tlen);
				e[n].target[tlen] = '\0';
				n++;
			}
		}
		line = *end ? end + 1 : NULL;
	}
	return n;
}

static const char *fd_target(const struct fd_entry *e, int n, int fd)
{
	int i;

	for (i = 0; i < n; i++)
		if (e[i].fd == fd)
			return e[i].target;
	return NULL;
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0 || errno != EBADF;
}

START_TEST(test_spawn_clean_child)
{
	struct kglue_pppd p = {
		.path = fake_pppd, .plugin = "pppol2tp.so", .tunnel_id = 100, .session_id = 200
	};
	char log[8192], want_argv[128], want_stat[64];
	struct fd_entry fds[16];
	int leak_pipe[2], leak_file, pidfd, log_fd, n;
	pid_t pid;

	/* Decoys that must not reach pppd: inheritable fds. */
	ck_assert_int_eq(pipe(leak_pipe), 0);
	leak_file = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(leak_file, 0);
	/* The PPPoL2TP socket stands in as /dev/zero, close-on-exec: spawn must pass it anyway. */
	p.pppox_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(p.pppox_fd, 3);

	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), 0);
	ck_assert(!fd_is_open(p.pppox_fd));
	ck_assert_int_gt(pid, 0);
	ck_assert_int_ne(fcntl(pidfd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_ne(fcntl(log_fd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_ne(fcntl(log_fd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(wait_exit(pidfd), 3);
	read_log(log_fd, log, sizeof(log));

	snprintf(want_argv, sizeof(want_argv),
		 "argv: plugin pppol2tp.so pppol2tp 3 pppol2tp_tunnel_id 100 pppol2tp_session_id 200 "
		 "nodetach\n");
	ck_assert_msg(strstr(log, want_argv), "log:\n%s", log);
	/* Its own session (setsid): session id = its pid. */
	snprintf(want_stat, sizeof(want_stat), "stat: %d %d\n", (int)pid, (int)pid);
	ck_assert_msg(strstr(log, want_stat), "log:\n%s", log);

	n = parse_fds(log, fds, 16);
	ck_assert_msg(n == 4, "expected fds 0, 1, 2 and the socket only; log:\n%s", log);
	ck_assert_str_eq(fd_target(fds, n, 0), "/dev/null");
	ck_assert_int_eq(strncmp(fd_target(fds, n, 1), "pipe:", 5), 0);
	ck_assert_str_eq(fd_target(fds, n, 1), fd_target(fds, n, 2));
	/* The socket on fd 3, whatever its number in the daemon. */
	ck_assert_ptr_nonnull(fd_target(fds, n, 3));
	ck_assert_str_eq(fd_target(fds, n, 3), "/dev/zero");

	close(pidfd);
	close(log_fd);
	close(leak_pipe[0]);
	close(leak_pipe[1]);
	close(leak_file);
}
END_TEST

/* Mask bits of one "Sig...:" line of /proc/PID/status. */
static unsigned long long status_mask(const char *log, const char *name)
{
	const char *at = strstr(log, name);

	ck_assert_msg(at, "no %s in:\n%s", name, log);
	return strtoull(at + strlen(name), NULL, 16);
}

/*
 * A shell clears its signal mask at startup, so the fake pppd here is cat: its words make it
 * print its own /proc status (the "plugin"), as exec left it.
 */
START_TEST(test_spawn_resets_signals)
{
	struct kglue_pppd p = {
		.path = "/bin/cat", .plugin = "/proc/self/status", .tunnel_id = 1, .session_id = 2
	};
	char log[16384];
	int pidfd, log_fd;
	pid_t pid;
	sigset_t block, old_mask;
	void (*old_usr1)(int), (*old_hup)(int);

	old_usr1 = signal(SIGUSR1, SIG_IGN);
	old_hup = signal(SIGHUP, SIG_IGN);
	ck_assert(old_usr1 != SIG_ERR && old_hup != SIG_ERR);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	ck_assert_int_eq(sigprocmask(SIG_BLOCK, &block, &old_mask), 0);
	p.pppox_fd = open("/dev/zero", O_RDONLY);
	ck_assert_int_ge(p.pppox_fd, 0);
	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), 0);
	ck_assert_int_eq(wait_exit(pidfd), 1); /* cat cannot open "plugin" and the other words */
	read_log(log_fd, log, sizeof(log));
	ck_assert_msg(strstr(log, "State:"), "log:\n%s", log);
	ck_assert_uint_eq(status_mask(log, "SigBlk:\t"), 0);
	/*
	 * Signals 32 and 33 are glibc's own (thread cancellation, setxid): sigaction() refuses
	 * them, so an ignored disposition inherited from whoever started the tests (make check's
	 * driver does) cannot be reset, and pppd never meets them.
	 */
	ck_assert_uint_eq(status_mask(log, "SigIgn:\t") & ~(3ull << 31), 0);
	close(pidfd);
	close(log_fd);
	/* Left as found, for runs without fork (CK_FORK=no). */
	signal(SIGUSR1, old_usr1);
	signal(SIGHUP, old_hup);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
}
END_TEST

START_TEST(test_spawn_moves_socket_off_stdio)
{
	struct kglue_pppd p = { .path = fake_pppd, .plugin = "pppol2tp.so", .tunnel_id = 1, .session_id = 2 };
	char log[8192], word[32];
	struct fd_entry fds[16];
	int saved = fcntl(0, F_DUPFD_CLOEXEC, 3), pidfd, log_fd, n, moved = -1, i;
	pid_t pid;

	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(close(0), 0);
	p.pppox_fd = open("/dev/zero", O_RDONLY);
	ck_assert_int_eq(p.pppox_fd, 0);
	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), 0);
	/* The socket on 0 is closed; 0 may be reused only by what spawn returned. */
	ck_assert(!fd_is_open(0) || pidfd == 0 || log_fd == 0);
	if (pidfd == 0)
		pidfd = fcntl(0, F_DUPFD_CLOEXEC, 3);
	if (log_fd == 0)
		log_fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
	ck_assert_int_eq(dup2(saved, 0), 0);
	close(saved);
	ck_assert_int_eq(wait_exit(pidfd), 3);
	read_log(log_fd, log, sizeof(log));

	n = parse_fds(log, fds, 16);
	ck_assert_msg(n == 4, "log:\n%s", log);
	ck_assert_str_eq(fd_target(fds, n, 0), "/dev/null");
	for (i = 0; i < n; i++)
		if (strcmp(fds[i].target, "/dev/zero") == 0)
			moved = fds[i].fd;
	ck_assert_int_ge(moved, 3);
	snprintf(word, sizeof(word), " pppol2tp %d ", moved);
	ck_assert_msg(strstr(log, word), "log:\n%s", log);
	close(pidfd);
	close(log_fd);
}
END_TEST

static int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = -1; /* the directory's own fd */

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n - 2; /* "." and ".." */
}

/* After kglue_pppd_init(), starts leave the daemon with the fds it had: /dev/null is shared. */
START_TEST(test_spawn_leaks_no_fd)
{
	struct kglue_pppd p = { .path = fake_pppd, .plugin = "pppol2tp.so", .tunnel_id = 1, .session_id = 2 };
	char log[8192];
	int before, pidfd, log_fd;
	pid_t pid;

	ck_assert_int_eq(kglue_pppd_init(), 0);
	before = count_open_fds();
	for (int i = 0; i < 3; i++) {
		p.pppox_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
		ck_assert_int_ge(p.pppox_fd, 0);
		ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), 0);
		ck_assert_int_eq(wait_exit(pidfd), 3);
		read_log(log_fd, log, sizeof(log));
		close(pidfd);
		close(log_fd);
		ck_assert_int_eq(count_open_fds(), before);
	}
}
END_TEST

/* An exec failure is the spawn's own error: no pppd, nothing returned, the socket closed. */
START_TEST(test_spawn_exec_failure)
{
	struct kglue_pppd p = { .path = "/nonexistent/l2tpkd-check/pppd",
				.plugin = "pppol2tp.so",
				.tunnel_id = 1,
				.session_id = 2 };
	int pidfd = 5, log_fd = 5;
	pid_t pid = 5;

	p.pppox_fd = open("/dev/zero", O_RDONLY);
	ck_assert_int_ge(p.pppox_fd, 0);
	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), -ENOENT);
	ck_assert(!fd_is_open(p.pppox_fd));
	ck_assert_int_eq(pidfd, -1);
	ck_assert_int_eq(log_fd, -1);
	ck_assert_int_eq(pid, 0);
	/* The failed child was reaped by the spawn: no zombie is left for us. */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

START_TEST(test_spawn_refuses_bad_input)
{
	struct kglue_pppd p = { .path = NULL, .plugin = "pppol2tp.so", .tunnel_id = 1, .session_id = 2 };
	int pidfd = 5, log_fd = 5;
	pid_t pid = 5;

	/* Refused, and the socket is closed all the same: pppd was meant to be its only holder. */
	p.pppox_fd = open("/dev/zero", O_RDONLY);
	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), -EINVAL);
	ck_assert(!fd_is_open(p.pppox_fd));
	ck_assert_int_eq(pidfd, -1);
	ck_assert_int_eq(log_fd, -1);
	ck_assert_int_eq(pid, 0);

	p.path = fake_pppd;
	p.pppox_fd = open("/dev/zero", O_RDONLY);
	p.session_id = 0;
	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), -EINVAL);
	ck_assert(!fd_is_open(p.pppox_fd));

	p.pppox_fd = -1;
	ck_assert_int_eq(kglue_pppd_spawn(&p, &pidfd, &pid, &log_fd), -EBADF);
}
END_TEST

/* ---- the PPP MTU for a tunnel's path ---- */

START_TEST(test_ppp_mtu_fits_the_path)
{
	/* 1500 less IP, UDP, the fullest L2TPv2 data header (14) and PPP's 4. */
	ck_assert_int_eq(kglue_ppp_mtu(1500, AF_INET), 1500 - 20 - 8 - 14 - 4);
	ck_assert_int_eq(kglue_ppp_mtu(1500, AF_INET6), 1500 - 40 - 8 - 14 - 4);
	ck_assert_int_eq(kglue_ppp_mtu(9000, AF_INET), 9000 - 46);
	ck_assert_int_eq(kglue_ppp_mtu(46 + 128, AF_INET), 128);
	ck_assert_int_eq(kglue_ppp_mtu(46 + 127, AF_INET), -ERANGE);
	ck_assert_int_eq(kglue_ppp_mtu(0, AF_INET6), -ERANGE);
	ck_assert_int_eq(kglue_ppp_mtu(65536, AF_INET), -ERANGE);
	ck_assert_int_eq(kglue_ppp_mtu(1500, AF_UNIX), -EAFNOSUPPORT);
}
END_TEST

/* A connected UDP socket knows its route's MTU; an unconnected one has none. */
START_TEST(test_path_mtu_of_udp_socket)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int mtu;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(kglue_path_mtu(fd, AF_INET), -ENOTCONN);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	mtu = kglue_path_mtu(fd, AF_INET);
	/* The loopback device's MTU, whatever this host set it to. */
	ck_assert_int_ge(mtu, 1280);
	ck_assert_int_eq(kglue_path_mtu(fd, AF_UNIX), -EAFNOSUPPORT);
	close(fd);
}
END_TEST

TCase *tcase_kglue_pppd_argv(void)
{
	TCase *argv = tcase_create("pppd_argv");

	tcase_add_test(argv, test_argv_lns);
	tcase_add_test(argv, test_argv_lac);
	tcase_add_test(argv, test_argv_send_seq_only);
	tcase_add_test(argv, test_argv_too_small);
	tcase_add_test(argv, test_argv_refuses_bad_input);
	tcase_add_test(argv, test_ppp_mtu_fits_the_path);
	tcase_add_test(argv, test_path_mtu_of_udp_socket);
	return argv;
}

TCase *tcase_kglue_pppd_spawn(void)
{
	TCase *spawn = tcase_create("pppd_spawn");

	tcase_add_checked_fixture(spawn, fake_setup, fake_teardown);
	tcase_set_timeout(spawn, 30);
	tcase_add_test(spawn, test_spawn_clean_child);
	tcase_add_test(spawn, test_spawn_resets_signals);
	tcase_add_test(spawn, test_spawn_moves_socket_off_stdio);
	tcase_add_test(spawn, test_spawn_exec_failure);
	tcase_add_test(spawn, test_spawn_leaks_no_fd);
	tcase_add_test(spawn, test_spawn_refuses_bad_input);
	return spawn;
}
