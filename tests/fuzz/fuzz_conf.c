/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target over the configuration file parser (daemon/conf.h). The input is the
 * whole file: any bytes must be loaded or refused without a crash, a leak or undefined
 * behaviour; a refusal names the file on every line of its report and a success reports
 * nothing. Whatever loads must print in a canonical form that loads again and prints the same
 * (the round trip the unit tests check on tests/conf/good).
 *
 * conf_load() reads a path, so the input goes into a memfd read back as /proc/self/fd/N: the
 * parser runs unchanged, file reading included.
 *
 * Build: ./configure --enable-fuzz CC=clang && make tests/fuzz/fuzz_conf
 * Run:   tests/fuzz/fuzz_conf -max_total_time=60 CORPUS_DIR tests/fuzz/corpus/conf
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_conf: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

/* The file conf_load() reads: one memfd for the whole run, rewritten for each load. */
static const char *file_with(const void *text, size_t len)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz_conf", MFD_CLOEXEC);
		if (fd < 0)
			die("memfd_create", strerror(errno));
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || (len && pwrite(fd, text, len, 0) != (ssize_t)len))
		die("writing the memfd", strerror(errno));
	return path;
}

/* Every line of a refusal starts with the file's name ("file:line: ..." or "file: ..."). */
static void check_report(const char *report, const char *path)
{
	size_t n = strlen(path);
	const char *line;

	if (!*report)
		die("a refusal without a report", NULL);
	for (line = report; *line; line = strchr(line, '\n') + 1) {
		if (strncmp(line, path, n) || line[n] != ':')
			die("a report line that does not name the file", report);
		if (!strchr(line, '\n'))
			die("a report that does not end its last line", report);
	}
}

/* conf_load() of text: its result, *conf and what it reported (malloc'd). */
static int load(const void *text, size_t len, struct l2tpkd_conf **conf, char **report)
{
	const char *path = file_with(text, len);
	size_t report_len;
	FILE *err;
	int r;

	*report = NULL;
	err = open_memstream(report, &report_len);
	if (!err)
		die("out of memory", NULL);
	r = conf_load(path, conf, err);
	if (fclose(err) != 0)
		die("out of memory", NULL);
	if (r == -ENOMEM)
		die("conf_load() ran out of memory", NULL);
	if (r < 0 && (*conf || r != -EINVAL))
		die("a refusal other than -EINVAL, or with a configuration", strerror(-r));
	if (r < 0)
		check_report(*report, path);
	else if (!*conf || **report)
		die("a success without a configuration, or with a report", *report);
	return r;
}

static char *print(const struct l2tpkd_conf *conf)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		die("out of memory", NULL);
	conf_print(conf, f);
	if (fclose(f) != 0)
		die("out of memory", NULL);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct l2tpkd_conf *first, *second;
	char *report, *canonical, *again;

	if (size > CONF_MAX_FILE_SIZE)
		return 0; /* refused before parsing (-EFBIG): nothing to fuzz */
	if (load(data, size, &first, &report) < 0) {
		free(report);
		return 0;
	}
	free(report);
	canonical = print(first);
	conf_free(first);
	if (load(canonical, strlen(canonical), &second, &report) < 0) {
		fprintf(stderr, "canonical form:\n%s\nreport:\n%s", canonical, report);
		die("the canonical form does not load", NULL);
	}
	free(report);
	again = print(second);
	conf_free(second);
	if (strcmp(canonical, again)) {
		fprintf(stderr, "canonical form:\n%s\nprinted again:\n%s", canonical, again);
		die("print(load(print(load(x)))) != print(load(x))", NULL);
	}
	free(canonical);
	free(again);
	return 0;
}
