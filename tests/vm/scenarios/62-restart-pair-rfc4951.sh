#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vm: systemd
# 61-restart-pair with both daemons in the default mode: two capable l2tpkd recover by the
# RFC 4951 failover protocol (recovery tunnel, reset, session audit; "recovery protocol" on
# both sides), with the same checks: the same IDs and pppd, no ping lost, no teardown.
RESTART_PAIR_RESYNC=failover-protocol-fall-back-to-silent-failover
. "$TOP/tests/vm/scenarios/61-restart-pair.sh"
