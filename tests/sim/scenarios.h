/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef L2TPKD_SIM_SCENARIOS_H
#define L2TPKD_SIM_SCENARIOS_H
#endif
