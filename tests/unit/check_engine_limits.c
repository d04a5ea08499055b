/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Placeholder while the suite is being written. */
#include "suites.h"

Suite *suite_engine_limits(void)
{
	return suite_create("engine_limits");
}
