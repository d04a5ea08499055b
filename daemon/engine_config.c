/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "l2tp/result.h"
#include "l2tp/wire.h"

void engine_config_defaults(struct engine_config *c)
{
	memset(c, 0, sizeof(*c));
	c->host_name = "l2tpkd";
	c->vendor_name = "l2tpkd";
	c->framing_caps = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	/* RFC 2661 §5.8 recommendations: window 4, 1 s doubling to a cap of 8 s, 5 retries. */
	c->xport.rwin = 4;
	c->xport.rtx_initial_ms = 1000;
	c->xport.rtx_cap_ms = 8000;
	c->xport.rtx_retries = 5;
	c->hello_ms = 60000; /* §6.5 */
	/* Longer than the kernel takes to free an ID, short enough not to drain the ID space. */
	c->id_quarantine_ms = 60000;
	c->accept_tunnels = true;
	c->send_tie_breaker = true;
	c->refuse_tunnel = (struct engine_refusal){ L2TP_RC_STOPCCN_GENERAL_ERROR, L2TP_EC_NO_RESOURCES };
	c->refuse_session = (struct engine_refusal){ L2TP_RC_CDN_NO_FACILITIES_TEMPORARY, 0 };
	c->log_level = ENGINE_LOG_INFO;
	/*
	 * RFC 4951: we can recover our control channel (C) and relearn data sequence numbers (D:
	 * the kernel resets its expected Nr after out-of-window packets); peers are asked to keep
	 * our tunnels a minute past their retransmissions while we restart.
	 */
	c->failover_flags = L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D;
	c->recovery_time_ms = 60000;
	c->resync = ENGINE_RESYNC_PROTOCOL_OR_SILENT;
}

/* The refusals a LAC with extended failover acts on (design.md §1, points 1 and 2). */
static bool failover_code(const struct engine_refusal *r, bool cdn)
{
	if (r->result == 2)
		return r->error == L2TP_EC_NO_RESOURCES || r->error == L2TP_EC_TRY_ANOTHER;
	return cdn && r->result == L2TP_RC_CDN_NO_FACILITIES_TEMPORARY && r->error == 0;
}

int engine_config_validate(const struct engine_config *c, char *why, size_t n)
{
	const char *bad = NULL;

	if (!c->host_name || !*c->host_name || strlen(c->host_name) > 1017)
		bad = "host name: 1 to 1017 octets required";
	else if (c->vendor_name && strlen(c->vendor_name) > 1017)
		bad = "vendor name: at most 1017 octets";
	else if (c->xport.rwin == 0 || c->xport.rwin > 256)
		bad = "receive window: 1 to 256 (messages held out of order)";
	else if (c->xport.rtx_initial_ms == 0)
		bad = "retransmission timeout: must be at least 1 ms";
	else if (c->xport.rtx_cap_ms < 8000)
		bad = "retransmission cap: RFC 2661 §5.8 requires at least 8000 ms";
	else if (c->xport.rtx_cap_ms < c->xport.rtx_initial_ms)
		bad = "retransmission cap: below the initial timeout";
	else if (!failover_code(&c->refuse_tunnel, false))
		bad = "tunnel refusal: must be StopCCN result 2 with error 4 or 7";
	else if (!failover_code(&c->refuse_session, true))
		bad = "session refusal: must be CDN result 2 with error 4 or 7, or result 4";
	else if (c->failover_flags & ~(L2TP_FAILOVER_CAP_C | L2TP_FAILOVER_CAP_D))
		bad = "failover capability: only the C and D bits exist (RFC 4951 §5.1)";
	else if (c->failover_flags && !(c->failover_flags & L2TP_FAILOVER_CAP_D) && !(c->failover_flags & L2TP_FAILOVER_CAP_C))
		bad = "failover capability: C and D both clear must not be sent (RFC 4951 §5.1)";
	else if (c->resync != ENGINE_RESYNC_PROTOCOL_OR_SILENT && c->resync != ENGINE_RESYNC_SILENT)
		bad = "failover resync mode: protocol with silent fall-back, or silent";
	else if (!c->random)
		bad = "random source: required";
	for (size_t i = 0; !bad && i < c->n_peers; i++)
		if (c->peers[i].hide_avps && !c->peers[i].secret)
			bad = "peer: hiding AVPs needs a secret";
	for (size_t i = 0; !bad && i < c->n_groups; i++) {
		const struct engine_group *g = &c->groups[i];

		if (!g->name || !*g->name || strlen(g->name) > 63)
			bad = "peer group: a name of 1 to 63 characters is required";
		else if (g->n_endpoints == 0 || g->n_endpoints > ENGINE_GROUP_MAX_ENDPOINTS)
			bad = "peer group: 1 to 64 endpoints";
		for (size_t j = 0; !bad && j < g->n_endpoints; j++)
			if (g->endpoints[j].weight == 0)
				bad = "peer group: an endpoint's weight must be at least 1";
		for (size_t j = 0; !bad && j < i; j++)
			if (strcmp(c->groups[j].name, g->name) == 0)
				bad = "peer group: two groups with one name";
	}
	if (!bad && c->hide_avps && !c->secret)
		bad = "hiding AVPs needs a secret";
	if (!bad)
		return 0;
	snprintf(why, n, "%s", bad);
	return -EINVAL;
}
