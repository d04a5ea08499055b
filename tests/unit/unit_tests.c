/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs every unit suite and prints Check's summary ("NN%: Checks: N, Failures: N, Errors: N").
 * CK_RUN_SUITE=name runs one suite, as with any Check runner.
 */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(suite_wire());
	int failed;

	srunner_add_suite(sr, suite_cursor());
	srunner_add_suite(sr, suite_header());
	srunner_add_suite(sr, suite_avp());
	srunner_add_suite(sr, suite_msg_rules());
	srunner_add_suite(sr, suite_hide());
	srunner_add_suite(sr, suite_auth());
	srunner_add_suite(sr, suite_decode());
	srunner_add_suite(sr, suite_encode());
	srunner_add_suite(sr, suite_vectors());
	srunner_add_suite(sr, suite_xl2tpd_capture());
	srunner_add_suite(sr, suite_tshark_oracle());
	srunner_add_suite(sr, suite_hmap());
	srunner_add_suite(sr, suite_ids());
	srunner_add_suite(sr, suite_timer_heap());
	srunner_add_suite(sr, suite_admission());
	srunner_add_suite(sr, suite_xport());
	srunner_add_suite(sr, suite_xport_rx());
	srunner_add_suite(sr, suite_xport_resync());
	srunner_add_suite(sr, suite_engine_state());
	srunner_add_suite(sr, suite_engine_tunnel());
	srunner_add_suite(sr, suite_engine_reliable());
	srunner_add_suite(sr, suite_engine_session());
	srunner_add_suite(sr, suite_engine_limits());
	srunner_add_suite(sr, suite_engine_backlog());
	srunner_add_suite(sr, suite_engine_peers());
	srunner_add_suite(sr, suite_failover());
	srunner_add_suite(sr, suite_recovery_waiting());
	srunner_add_suite(sr, suite_recovery_audit());
	srunner_add_suite(sr, suite_recovery());
	srunner_add_suite(sr, suite_conf());
	srunner_add_suite(sr, suite_ip_pool());
	srunner_add_suite(sr, suite_state_store());
	srunner_add_suite(sr, suite_fd_vault());
	srunner_add_suite(sr, suite_fd_vault_adopt());
	srunner_add_suite(sr, suite_kglue());
	srunner_add_suite(sr, suite_shell_pppd_start());
	srunner_add_suite(sr, suite_ctl_proto());
	srunner_add_suite(sr, suite_ctl_cli_failover());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
