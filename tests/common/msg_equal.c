/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "msg_equal.h"

#include <stdio.h>
#include <string.h>

#include "avp.h"

static bool blob_eq(const struct blob *a, const struct blob *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

static bool differ(char *why, size_t n, const char *what)
{
	snprintf(why, n, "%s differs", what);
	return false;
}

/* Compares the value of one AVP slot; both messages carry it. */
static bool slot_eq(const struct l2tp_msg *a, const struct l2tp_msg *b, int slot)
{
	const struct avp_desc *d = &avp_table[slot];

	switch (slot) {
	case L2TP_AVP_MESSAGE_TYPE:
		return a->type == b->type && a->type_mandatory == b->type_mandatory;
	case L2TP_AVP_RESULT_CODE:
		return a->result_code.result == b->result_code.result &&
		       a->result_code.has_error == b->result_code.has_error &&
		       a->result_code.error == b->result_code.error &&
		       blob_eq(&a->result_code.message, &b->result_code.message);
	case L2TP_AVP_PROTOCOL_VERSION:
		return !memcmp(&a->protocol_version, &b->protocol_version, sizeof(a->protocol_version));
	case L2TP_AVP_Q931_CAUSE_CODE:
		return a->q931_cause_code.cause == b->q931_cause_code.cause &&
		       a->q931_cause_code.msg == b->q931_cause_code.msg &&
		       blob_eq(&a->q931_cause_code.advisory, &b->q931_cause_code.advisory);
	case L2TP_AVP_PROXY_AUTHEN_ID:
		return a->proxy_authen_id == b->proxy_authen_id;
	case L2TP_AVP_CALL_ERRORS:
		return !memcmp(&a->call_errors, &b->call_errors, sizeof(a->call_errors));
	case L2TP_AVP_ACCM:
		return !memcmp(&a->accm, &b->accm, sizeof(a->accm));
	case L2TP_AVP_SEQUENCING_REQUIRED:
		return true;
	case AVP_SLOT_PPP_DISCONNECT_CAUSE_CODE:
		return a->ppp_disconnect_cause_code.code == b->ppp_disconnect_cause_code.code &&
		       a->ppp_disconnect_cause_code.protocol == b->ppp_disconnect_cause_code.protocol &&
		       a->ppp_disconnect_cause_code.direction == b->ppp_disconnect_cause_code.direction &&
		       blob_eq(&a->ppp_disconnect_cause_code.message, &b->ppp_disconnect_cause_code.message);
	case AVP_SLOT_FAILOVER_CAPABILITY:
		return a->failover_capability.flags == b->failover_capability.flags &&
		       a->failover_capability.recovery_time_ms == b->failover_capability.recovery_time_ms;
	case AVP_SLOT_TUNNEL_RECOVERY:
		return !memcmp(&a->tunnel_recovery, &b->tunnel_recovery, sizeof(a->tunnel_recovery));
	case AVP_SLOT_SUGGESTED_CONTROL_SEQUENCE:
		return !memcmp(&a->suggested_control_sequence, &b->suggested_control_sequence,
			       sizeof(a->suggested_control_sequence));
	case AVP_SLOT_FAILOVER_SESSION_STATE:
		return a->n_fss == b->n_fss && !memcmp(a->fss, b->fss, a->n_fss * sizeof(a->fss[0]));
	}
	/* Generic shapes: the descriptor says where the field is and how wide (integers, fixed octets). */
	if (d->max_len == AVP_MAX_VALUE_LEN)
		return blob_eq((const struct blob *)(const void *)((const char *)a + d->field),
			       (const struct blob *)(const void *)((const char *)b + d->field));
	return !memcmp((const char *)a + d->field, (const char *)b + d->field, d->max_len);
}

bool msg_equal(const struct l2tp_msg *a, const struct l2tp_msg *b, char *why, size_t n)
{
	unsigned int i;
	int slot;

	if (a->tunnel_id != b->tunnel_id || a->session_id != b->session_id)
		return differ(why, n, "header IDs");
	if (a->ns != b->ns || a->nr != b->nr)
		return differ(why, n, "Ns/Nr");
	if (a->zlb != b->zlb)
		return differ(why, n, "ZLB flag");
	if (a->present != b->present)
		return differ(why, n, "presence bits");
	if (a->hidden != b->hidden)
		return differ(why, n, "hidden bits");
	for (slot = 0; slot < AVP_SLOT_COUNT; slot++)
		if ((a->present & AVP_BIT(slot)) && !slot_eq(a, b, slot))
			return differ(why, n, avp_table[slot].name);
	if (a->n_vendor != b->n_vendor)
		return differ(why, n, "vendor AVP count");
	for (i = 0; i < a->n_vendor; i++)
		if (a->vendor[i].vendor != b->vendor[i].vendor || a->vendor[i].type != b->vendor[i].type ||
		    a->vendor[i].hidden != b->vendor[i].hidden ||
		    !blob_eq(&a->vendor[i].value, &b->vendor[i].value))
			return differ(why, n, "vendor AVP");
	return true;
}
