/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pppd for one session (spec/linux-kernel-l2tp.md §2.6): the argument vector for the
 * pppol2tp.so plugin of pppd 2.4.9, and fork + exec with nothing inherited but the PPPoL2TP
 * socket. The daemon follows pppd through a pidfd, so pppd must never detach: "nodetach" is the
 * last word, after the options file and the extra words, because pppd lets the last of equal
 * priority win (options.c process_option) and "file" options keep the command line's priority,
 * so neither can turn detaching back on with "updetach".
 */
#include "kglue.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The words kglue_pppd_argv() adds besides the extra ones, with room to spare. */
#define PPPD_FIXED_WORDS 24
/* The fallback close loop's ceiling when RLIMIT_NOFILE says nothing useful (fs.nr_open's default). */
#define PPPD_FD_CEILING (1u << 20)

struct words {
	const char **v;
	size_t len, n;
};

static void put(struct words *w, const char *s)
{
	if (w->n + 1 < w->len)
		w->v[w->n] = s;
	w->n++;
}

int kglue_pppd_argv(const struct kglue_pppd *p, char fd_word[16], char reorder_word[16], char tid_word[8],
		    char sid_word[8], const char **argv, size_t argv_len)
{
	struct words w = { .v = argv, .len = argv_len };
	const char *const *x;

	if (!p->plugin || !p->tunnel_id || !p->session_id)
		return -EINVAL;
	if (p->pppox_fd < 0)
		return -EBADF;
	if (p->reorder_ms > INT_MAX) /* pppd reads it into an int */
		return -ERANGE;
	snprintf(fd_word, 16, "%d", p->pppox_fd);
	snprintf(reorder_word, 16, "%u", (unsigned int)p->reorder_ms);
	snprintf(tid_word, 8, "%u", (unsigned int)p->tunnel_id);
	snprintf(sid_word, 8, "%u", (unsigned int)p->session_id);
	put(&w, "pppd");
	put(&w, "plugin");
	put(&w, p->plugin);
	/* The plugin registers its options when loaded, so "pppol2tp" comes after "plugin". */
	put(&w, "pppol2tp");
	put(&w, fd_word);
	if (p->lns_mode)
		put(&w, "pppol2tp_lns_mode");
	if (p->send_seq)
		put(&w, "pppol2tp_send_seq");
	if (p->recv_seq)
		put(&w, "pppol2tp_recv_seq");
	if (p->reorder_ms) {
		put(&w, "pppol2tp_reorderto");
		put(&w, reorder_word);
	}
	put(&w, "pppol2tp_tunnel_id");
	put(&w, tid_word);
	put(&w, "pppol2tp_session_id");
	put(&w, sid_word);
	for (x = p->defaults; x && *x; x++)
		put(&w, *x);
	if (p->options_file) {
		put(&w, "file");
		put(&w, p->options_file);
	}
	for (x = p->extra; x && *x; x++)
		put(&w, *x);
	put(&w, "nodetach");
	if (w.n + 1 > argv_len)
		return -E2BIG;
	argv[w.n] = NULL;
	return (int)w.n;
}

/*
 * In the child after a failure: one line on the log pipe. strerror() is safe here because
 * the daemon is single-threaded, so no lock can be held across fork().
 */
static __attribute__((noreturn)) void child_fail(int fd, const char *what, const char *path, int err)
{
	const char *parts[] = { "l2tpkd: ", what, " ", path, ": ", strerror(err), "\n" };
	size_t i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (write(fd, parts[i], strlen(parts[i])) < 0)
			break;
	_exit(127);
}

/* An fd that dup2() onto 0, 1 or 2 cannot clobber: stdio numbers are moved up. */
static int above_stdio(int fd)
{
	return fd > 2 ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/* Closes [lo, hi]: close_range() (5.9+), else one close() per possible fd. */
static void close_span(unsigned int lo, unsigned int hi)
{
	struct rlimit rl;
	unsigned int top = PPPD_FD_CEILING, fd;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, lo, hi, 0) == 0)
		return;
#endif
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < top)
		top = (unsigned int)rl.rlim_cur;
	for (fd = lo; fd <= hi && fd < top; fd++)
		(void)close((int)fd);
}

/* The child: a clean process for pppd. Never returns. */
static __attribute__((noreturn)) void run_child(const char *path, const char **argv, int keep_fd, int out_fd,
						int null_fd)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int sig;

	/* Ignored signals stay ignored across exec; defaults first, then unblock. */
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	/* Its own session: no controlling terminal, no signals for our process group. */
	(void)setsid();
	out_fd = above_stdio(out_fd);
	null_fd = above_stdio(null_fd);
	if (out_fd < 0 || null_fd < 0)
		child_fail(out_fd < 0 ? 2 : out_fd, "cannot set up stdio for", path, errno);
	if (dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		child_fail(out_fd, "cannot set up stdio for", path, errno);
	if (keep_fd > 3)
		close_span(3, (unsigned int)keep_fd - 1);
	close_span((unsigned int)keep_fd + 1, ~0u);
	if (fcntl(keep_fd, F_SETFD, 0) < 0)
		child_fail(2, "cannot pass the PPPoL2TP socket to", path, errno);
	execv(path, (char *const *)argv);
	child_fail(2, "cannot exec", path, errno);
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0); /* always CLOEXEC */

	return fd < 0 ? -errno : fd;
#else
	return -ENOSYS;
#endif
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

static size_t count_extra(const char *const *x)
{
	size_t n = 0;

	while (x && x[n])
		n++;
	return n;
}

/* Everything the parent prepares before fork(): the fd kept above stdio, argv, pipe, /dev/null. */
struct spawn {
	struct kglue_pppd p;
	const char **argv;
	char fd_word[16], reorder_word[16], tid_word[8], sid_word[8];
	int pipe[2], null_fd;
};

static int spawn_prepare(struct spawn *s)
{
	size_t n = PPPD_FIXED_WORDS + count_extra(s->p.defaults) + count_extra(s->p.extra);
	int r;

	/* pppd's stdio is replaced in the child, so the socket must not sit on 0, 1 or 2. */
	if (s->p.pppox_fd <= 2) {
		int up = fcntl(s->p.pppox_fd, F_DUPFD_CLOEXEC, 3);

		if (up < 0)
			return -errno;
		close_fd(&s->p.pppox_fd);
		s->p.pppox_fd = up;
	}
	s->argv = calloc(n, sizeof(*s->argv));
	if (!s->argv)
		return -ENOMEM;
	r = kglue_pppd_argv(&s->p, s->fd_word, s->reorder_word, s->tid_word, s->sid_word, s->argv, n);
	if (r < 0)
		return r;
	/* Only our end is non-blocking: pppd blocks while the daemon is behind on its log. */
	if (pipe2(s->pipe, O_CLOEXEC) < 0 || fcntl(s->pipe[0], F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	s->null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return s->null_fd < 0 ? -errno : 0;
}

int kglue_pppd_spawn(const struct kglue_pppd *p, int *pidfd, pid_t *pid, int *log_fd)
{
	struct spawn s = { .p = *p, .pipe = { -1, -1 }, .null_fd = -1 };
	pid_t child = -1;
	int r, fd;

	*pidfd = -1;
	*pid = 0;
	*log_fd = -1;
	if (p->pppox_fd < 0)
		return -EBADF;
	r = p->path ? spawn_prepare(&s) : -EINVAL;
	if (r == 0) {
		child = fork();
		if (child == 0)
			run_child(p->path, s.argv, s.p.pppox_fd, s.pipe[1], s.null_fd);
		r = child < 0 ? -errno : 0;
	}
	if (r == 0) {
		fd = open_pidfd(child);
		if (fd < 0) {
			/* Unsupervised pppd must not run; it is our child, so its pid is still valid. */
			r = fd;
			(void)kill(child, SIGKILL);
			(void)waitpid(child, NULL, 0);
		} else {
			*pidfd = fd;
			*pid = child;
			*log_fd = s.pipe[0];
			s.pipe[0] = -1;
		}
	}
	close_fd(&s.pipe[0]);
	close_fd(&s.pipe[1]);
	close_fd(&s.null_fd);
	close_fd(&s.p.pppox_fd);
	free(s.argv);
	return r;
}
