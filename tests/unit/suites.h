/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One Check suite per module; unit_tests.c runs them all. */
#ifndef L2TPKD_TEST_SUITES_H
#define L2TPKD_TEST_SUITES_H

#include <check.h>

Suite *suite_admission(void);
Suite *suite_auth(void);
Suite *suite_conf(void);
Suite *suite_ctl_proto(void);
Suite *suite_ctl_cli_failover(void);
Suite *suite_avp(void);
Suite *suite_cursor(void);
Suite *suite_decode(void);
Suite *suite_encode(void);
Suite *suite_engine_limits(void);
Suite *suite_engine_backlog(void);
Suite *suite_failover(void);
Suite *suite_engine_peers(void);
Suite *suite_engine_reliable(void);
Suite *suite_engine_session(void);
Suite *suite_engine_tunnel(void);
Suite *suite_header(void);
Suite *suite_shell_pppd_start(void);
Suite *suite_hide(void);
Suite *suite_hmap(void);
Suite *suite_ids(void);
Suite *suite_ip_pool(void);
Suite *suite_kglue(void);
Suite *suite_msg_rules(void);
Suite *suite_state_store(void);
Suite *suite_fd_vault(void);
Suite *suite_fd_vault_adopt(void);
Suite *suite_timer_heap(void);
Suite *suite_tshark_oracle(void);
Suite *suite_vectors(void);
Suite *suite_wire(void);
Suite *suite_xl2tpd_capture(void);
Suite *suite_xport(void);
Suite *suite_xport_rx(void);
Suite *suite_xport_resync(void);
Suite *suite_engine_state(void);
Suite *suite_recovery(void);
Suite *suite_recovery_waiting(void);
Suite *suite_recovery_audit(void);

#endif
