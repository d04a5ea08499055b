/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pppd for one session (spec/linux-kernel-l2tp.md §2.6): the argument vector for the
 * pppol2tp.so plugin of pppd 2.4.9, and posix_spawn() with nothing inherited but the PPPoL2TP
 * socket (on fd 3), /dev/null as stdin and the log pipe as stdout and stderr. The daemon
 * follows pppd through a pidfd, so pppd must never detach: "nodetach" is the last word,
 * after the options file and the extra words, because pppd lets the last of equal priority
 * win (options.c process_option) and "file" options keep the command line's priority, so
 * neither can turn detaching back on with "updetach".
 */
#include "kglue.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The words kglue_pppd_argv() adds besides the extra ones, with room to spare. */
#define PPPD_FIXED_WORDS 24
/* Where pppd finds its PPPoL2TP socket: the first fd after stdio. */
#define PPPD_SOCKET_FD 3

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

/*
 * Moves fd above PPPD_SOCKET_FD (close-on-exec), so that no dup2() of the child's setup can
 * overwrite a source another dup2() still needs.
 */
static int lift(int *fd)
{
	int up;

	if (*fd > PPPD_SOCKET_FD)
		return 0;
	up = fcntl(*fd, F_DUPFD_CLOEXEC, PPPD_SOCKET_FD + 1);
	if (up < 0)
		return -errno;
	close_fd(fd);
	*fd = up;
	return 0;
}

/*
 * /dev/null for pppd's stdin, opened once for the life of the process: a path lookup per pppd
 * costs more than the rest of the daemon's share of a session when thousands start at once.
 */
static int dev_null(void)
{
	static int fd = -1;
	int r;

	if (fd < 0) {
		int opened = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (opened < 0)
			return -errno;
		r = lift(&opened);
		if (r < 0) {
			close_fd(&opened);
			return r;
		}
		fd = opened;
	}
	return fd;
}

int kglue_pppd_init(void)
{
	int fd = dev_null();

	return fd < 0 ? fd : 0;
}

static size_t count_extra(const char *const *x)
{
	size_t n = 0;

	while (x && x[n])
		n++;
	return n;
}

/* Everything prepared before the spawn: argv, the log pipe, the socket above stdio. */
struct spawn {
	struct kglue_pppd p;
	const char **argv;
	char fd_word[16], reorder_word[16], tid_word[8], sid_word[8];
	int pipe[2], null_fd;
};

static int spawn_prepare(struct spawn *s)
{
	size_t n = PPPD_FIXED_WORDS + count_extra(s->p.defaults) + count_extra(s->p.extra);
	struct kglue_pppd in_child = s->p;
	int r;

	s->argv = calloc(n, sizeof(*s->argv));
	if (!s->argv)
		return -ENOMEM;
	in_child.pppox_fd = PPPD_SOCKET_FD;
	r = kglue_pppd_argv(&in_child, s->fd_word, s->reorder_word, s->tid_word, s->sid_word, s->argv, n);
	if (r < 0)
		return r;
	/* Only our end is non-blocking: pppd blocks while the daemon is behind on its log. */
	if (pipe2(s->pipe, O_CLOEXEC) < 0 || fcntl(s->pipe[0], F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	s->null_fd = dev_null();
	if (s->null_fd < 0)
		return s->null_fd;
	if ((r = lift(&s->p.pppox_fd)) < 0 || (r = lift(&s->pipe[1])) < 0)
		return r;
	return 0;
}

/*
 * posix_spawn() clones without copying the daemon's memory (glibc: CLONE_VM | CLONE_VFORK),
 * so a start costs the same with ten thousand sessions as with one, and an exec failure comes
 * back as its errno. The child's setup is the attributes and file actions below.
 */
static int spawn_run(struct spawn *s, pid_t *child)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	int r;

	sigfillset(&all);
	sigemptyset(&none);
	r = posix_spawn_file_actions_init(&fa);
	if (r)
		return -r;
	r = posix_spawnattr_init(&at);
	if (r) {
		posix_spawn_file_actions_destroy(&fa);
		return -r;
	}
	/* The sources are all above PPPD_SOCKET_FD; dup2() leaves the copies inheritable. */
	r = posix_spawn_file_actions_adddup2(&fa, s->p.pppox_fd, PPPD_SOCKET_FD);
	if (!r)
		r = posix_spawn_file_actions_adddup2(&fa, s->null_fd, 0);
	if (!r)
		r = posix_spawn_file_actions_adddup2(&fa, s->pipe[1], 1);
	if (!r)
		r = posix_spawn_file_actions_adddup2(&fa, s->pipe[1], 2);
	if (!r)
		r = posix_spawn_file_actions_addclosefrom_np(&fa, PPPD_SOCKET_FD + 1);
	/* Ignored signals stay ignored across exec: every one back to its default, none blocked. */
	if (!r)
		r = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSID);
	if (!r)
		r = posix_spawnattr_setsigdefault(&at, &all);
	if (!r)
		r = posix_spawnattr_setsigmask(&at, &none);
	if (!r)
		r = posix_spawn(child, s->p.path, &fa, &at, (char *const *)s->argv, environ);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
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
	if (r == 0)
		r = spawn_run(&s, &child);
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
	close_fd(&s.p.pppox_fd);
	free(s.argv);
	return r;
}
