/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs the simulation scenarios and prints a summary line:
 *   sim: N passed, N failed
 * usage: sim [-s SEED] [SCENARIO...]   (all scenarios by default; seed 1)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios.h"

/* Every scenario, in the order they run. */
static const struct scenario *all[64];
static unsigned int n_all;

static void collect(void)
{
	for (unsigned int i = 0; i < n_scenarios; i++)
		all[n_all++] = &scenarios[i];
	for (unsigned int i = 0; i < n_failover_scenarios; i++)
		all[n_all++] = &failover_scenarios[i];
	for (unsigned int i = 0; i < n_restart_scenarios; i++)
		all[n_all++] = &restart_scenarios[i];
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sim [-s SEED] [SCENARIO...]\n"
		   "Runs the engine simulation scenarios (all by default) on a virtual clock.\n"
		   "  -s SEED   seed of the link's loss, duplication and reordering (default 1)\n"
		   "Scenarios:");
	for (unsigned int i = 0; i < n_all; i++)
		fprintf(f, " %s", all[i]->name);
	fprintf(f, "\n");
}

static bool wanted(const char *name, int argc, char **argv)
{
	if (optind == argc)
		return true;
	for (int i = optind; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	unsigned long long seed = 1;
	unsigned int passed = 0, failed = 0;
	char *end;
	int opt;

	collect();
	while ((opt = getopt(argc, argv, "s:h")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, &end, 0);
			if (*end || !*optarg) {
				fprintf(stderr, "sim: -s: not a number: %s\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++) {
		bool known = false;

		for (unsigned int j = 0; j < n_all; j++)
			known |= strcmp(argv[i], all[j]->name) == 0;
		if (!known) {
			fprintf(stderr, "sim: no scenario %s\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	for (unsigned int i = 0; i < n_all; i++) {
		bool ok;

		if (!wanted(all[i]->name, argc, argv))
			continue;
		printf("scenario %s (seed %llu)\n", all[i]->name, seed);
		fflush(stdout);
		ok = all[i]->run(seed);
		printf("  %s: %s\n", all[i]->name, ok ? "ok" : "FAILED");
		ok ? passed++ : failed++;
	}
	printf("sim: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
