/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sd_job_is_restart(): which job systemd runs on our unit while we handle its SIGTERM.
 *
 * The questions go to systemd's manager the way systemctl asks them as root: over its private
 * socket (/run/systemd/private: no bus daemon in between, so it also works while dbus.service
 * is down), else over the system bus. GetUnitByPID(our pid) names our unit; its
 * Service.MainPID must be us (a daemon started by hand from a service's shell inherits that
 * service's $INVOCATION_ID); its Unit.Job is "(uo)", id 0 meaning no job; the job's JobType
 * says "stop" or "restart". A restart job keeps that type until our process has exited (only
 * then does systemd turn it into the start half), so it is visible while we handle the signal.
 *
 * The connection is driven by hand (sd_bus_call_async, sd_bus_process, sd_bus_wait) against
 * one deadline for everything: sd_bus_call would first wait for the authentication with only
 * sd-bus's own, far longer limit, and a hung systemd must not hold up a stop.
 */
#include "sd_job.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#define SYSTEMD_PRIVATE_ADDRESS "unix:path=/run/systemd/private"
#define SYSTEMD_DESTINATION "org.freedesktop.systemd1"
#define SYSTEMD_MANAGER_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_UNIT_PATH_PREFIX "/org/freedesktop/systemd1/unit"

struct sd_job_query {
	sd_bus *bus;
	uint64_t deadline; /* CLOCK_MONOTONIC, microseconds */
	bool answered;	   /* systemd returned a method return on this connection */
	char *why;
	size_t why_len;
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Fills why and returns ret, so that "return say(q, r, ...)" ends a step. */
__attribute__((format(printf, 3, 4))) static int say(struct sd_job_query *q, int ret, const char *fmt, ...)
{
	va_list ap;

	if (!q->why_len)
		return ret;
	va_start(ap, fmt);
	vsnprintf(q->why, q->why_len, fmt, ap);
	va_end(ap);
	return ret;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
	sd_bus_message **reply = userdata;

	*reply = sd_bus_message_ref(m);
	return 0;
}

/*
 * Sends m and runs the connection until its reply comes or the deadline passes: 0 with
 * *reply a method return, or -errno with why naming what failed (an error reply's name and
 * text, or the connection's errno).
 */
static int call(struct sd_job_query *q, sd_bus_message *m, const char *what, sd_bus_message **reply)
{
	sd_bus_slot *slot = NULL;
	const sd_bus_error *e;
	uint64_t now = now_usec();
	int r;

	*reply = NULL;
	if (now >= q->deadline)
		return say(q, -ETIMEDOUT, "%s: no time left", what);
	r = sd_bus_call_async(q->bus, &slot, m, on_reply, reply, q->deadline - now);
	while (r >= 0 && !*reply) {
		r = sd_bus_process(q->bus, NULL);
		if (r == 0) {
			now = now_usec();
			r = now < q->deadline ? sd_bus_wait(q->bus, q->deadline - now) : -ETIMEDOUT;
			if (r == -EINTR)
				r = 0;
		}
	}
	sd_bus_slot_unref(slot);
	if (!*reply)
		return say(q, r, "%s: %s", what, strerror(-r));
	if (!sd_bus_message_is_method_error(*reply, NULL)) {
		q->answered = true;
		return 0;
	}
	e = sd_bus_message_get_error(*reply);
	r = sd_bus_error_get_errno(e);
	say(q, r > 0 ? -r : -EIO, "%s: %s: %s", what, e->name, e->message ? e->message : "no text");
	*reply = sd_bus_message_unref(*reply);
	return r > 0 ? -r : -EIO;
}

/* Properties.Get of iface.prop at path: *reply positioned inside its variant of type. */
static int get_property(struct sd_job_query *q, const char *path, const char *iface, const char *prop,
			const char *type, sd_bus_message **reply)
{
	sd_bus_message *m = NULL;
	int r;

	r = sd_bus_message_new_method_call(q->bus, &m, SYSTEMD_DESTINATION, path, "org.freedesktop.DBus.Properties",
					   "Get");
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", iface, prop);
	if (r < 0) {
		sd_bus_message_unref(m);
		return say(q, r, "%s: cannot build the call: %s", prop, strerror(-r));
	}
	r = call(q, m, prop, reply);
	sd_bus_message_unref(m);
	if (r < 0)
		return r;
	r = sd_bus_message_enter_container(*reply, 'v', type);
	if (r <= 0) {
		*reply = sd_bus_message_unref(*reply);
		return say(q, -EBADMSG, "%s: not of type %s", prop, type);
	}
	return 0;
}

/* Our unit's object path (GetUnitByPID), allocated. */
static int get_unit_path(struct sd_job_query *q, char **path)
{
	sd_bus_message *m = NULL, *reply = NULL;
	const char *p;
	int r;

	r = sd_bus_message_new_method_call(q->bus, &m, SYSTEMD_DESTINATION, SYSTEMD_MANAGER_PATH,
					   "org.freedesktop.systemd1.Manager", "GetUnitByPID");
	if (r >= 0)
		r = sd_bus_message_append(m, "u", (uint32_t)getpid());
	if (r < 0) {
		sd_bus_message_unref(m);
		return say(q, r, "GetUnitByPID: cannot build the call: %s", strerror(-r));
	}
	r = call(q, m, "GetUnitByPID", &reply);
	sd_bus_message_unref(m);
	if (r < 0)
		return r;
	r = sd_bus_message_read(reply, "o", &p);
	*path = r > 0 ? strdup(p) : NULL;
	sd_bus_message_unref(reply);
	if (r <= 0)
		return say(q, -EBADMSG, "GetUnitByPID: the answer is not an object path");
	return *path ? 0 : say(q, -ENOMEM, "out of memory");
}

/* Service.MainPID of the unit at path. */
static int get_main_pid(struct sd_job_query *q, const char *path, uint32_t *pid)
{
	sd_bus_message *reply = NULL;
	int r = get_property(q, path, "org.freedesktop.systemd1.Service", "MainPID", "u", &reply);

	if (r < 0)
		return r;
	r = sd_bus_message_read(reply, "u", pid);
	sd_bus_message_unref(reply);
	return r > 0 ? 0 : say(q, -EBADMSG, "MainPID: unreadable");
}

/* Unit.Job of the unit at path: its id (0: none) and, if it has one, its object path. */
static int get_job(struct sd_job_query *q, const char *path, uint32_t *id, char **job_path)
{
	sd_bus_message *reply = NULL;
	const char *p;
	int r = get_property(q, path, "org.freedesktop.systemd1.Unit", "Job", "(uo)", &reply);

	*job_path = NULL;
	if (r < 0)
		return r;
	r = sd_bus_message_read(reply, "(uo)", id, &p);
	if (r > 0 && *id)
		*job_path = strdup(p);
	sd_bus_message_unref(reply);
	if (r <= 0)
		return say(q, -EBADMSG, "Job: unreadable");
	return !*id || *job_path ? 0 : say(q, -ENOMEM, "out of memory");
}

/* Job.JobType of the job at path, into type. */
static int get_job_type(struct sd_job_query *q, const char *path, char *type, size_t type_len)
{
	sd_bus_message *reply = NULL;
	const char *t;
	int r = get_property(q, path, "org.freedesktop.systemd1.Job", "JobType", "s", &reply);

	if (r < 0)
		return r;
	r = sd_bus_message_read(reply, "s", &t);
	if (r > 0)
		snprintf(type, type_len, "%s", t);
	sd_bus_message_unref(reply);
	return r > 0 ? 0 : say(q, -EBADMSG, "JobType: unreadable");
}

/*
 * systemd turns try-restart into restart once the unit is known to be active, so "restart"
 * is what a running daemon sees; try-restart is taken as well rather than rely on that.
 */
static bool is_restart_job(const char *type)
{
	return !strcmp(type, "restart") || !strcmp(type, "try-restart");
}

/* The questions, over q->bus, about the unit at unit_path named unit. */
static int ask_about(struct sd_job_query *q, const char *unit_path, const char *unit)
{
	char *job_path = NULL, type[32];
	uint32_t main_pid, job_id;
	int r;

	if ((r = get_main_pid(q, unit_path, &main_pid)) < 0)
		return r;
	if (main_pid != (uint32_t)getpid())
		return say(q, 0, "%s: we (pid %d) are not its main process (pid %u)", unit, (int)getpid(), main_pid);
	if ((r = get_job(q, unit_path, &job_id, &job_path)) < 0)
		return r;
	if (!job_id)
		return say(q, 0, "%s has no job: the signal is not systemd stopping or restarting it", unit);
	r = get_job_type(q, job_path, type, sizeof(type));
	free(job_path);
	if (r < 0)
		return r;
	r = is_restart_job(type);
	return say(q, r, "%s: systemd job %u is %s", unit, job_id, type);
}

static int ask(struct sd_job_query *q)
{
	char *unit_path = NULL, *unit = NULL;
	int r;

	if ((r = get_unit_path(q, &unit_path)) < 0)
		return r;
	if (sd_bus_path_decode(unit_path, SYSTEMD_UNIT_PATH_PREFIX, &unit) <= 0)
		unit = NULL;
	r = ask_about(q, unit_path, unit ? unit : unit_path);
	free(unit);
	free(unit_path);
	return r;
}

/* Connects to systemd's private socket, as systemctl does when it runs as root. */
static int open_private(sd_bus **bus)
{
	sd_bus *b = NULL;
	int r = sd_bus_new(&b);

	if (r >= 0)
		r = sd_bus_set_address(b, SYSTEMD_PRIVATE_ADDRESS);
	if (r >= 0)
		r = sd_bus_start(b);
	if (r < 0) {
		sd_bus_close_unref(b);
		return r;
	}
	*bus = b;
	return 0;
}

/* Asks over the connection open makes; via names it in why. */
static int ask_via(struct sd_job_query *q, int (*open)(sd_bus **), const char *via)
{
	char why[256];
	int r;

	q->answered = false;
	if ((r = open(&q->bus)) < 0)
		return say(q, r, "%s: cannot connect: %s", via, strerror(-r));
	r = ask(q);
	q->bus = sd_bus_close_unref(q->bus);
	if (r < 0) {
		snprintf(why, sizeof(why), "%s", q->why_len ? q->why : "");
		say(q, r, "%s: %s", via, why);
	}
	return r;
}

int sd_job_is_restart(char *why, size_t why_len)
{
	struct sd_job_query q = { .why = why, .why_len = why_len, .deadline = now_usec() + SD_JOB_TIMEOUT_USEC };
	char first[256];
	int r;

	if (!getenv("INVOCATION_ID") && !getenv("NOTIFY_SOCKET"))
		return say(&q, 0, "not a systemd service (neither $INVOCATION_ID nor $NOTIFY_SOCKET is set)");
	r = ask_via(&q, open_private, "systemd's private socket");
	/* Once systemd answered a call, the system bus would tell the same: no second try. */
	if (r >= 0 || q.answered || now_usec() >= q.deadline)
		return r;
	snprintf(first, sizeof(first), "%s", why_len ? why : "");
	r = ask_via(&q, sd_bus_open_system, "the system bus");
	if (r < 0) {
		char second[256];

		snprintf(second, sizeof(second), "%s", why_len ? why : "");
		say(&q, r, "%s; %s", first, second);
	}
	return r;
}
