/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "msg.h"

#include <string.h>

int avp_slot(uint16_t type)
{
	if (type <= L2TP_AVP_SEQUENCING_REQUIRED)
		return type == 20 ? -1 : type;
	switch (type) {
	case L2TP_AVP_PPP_DISCONNECT_CAUSE_CODE:
		return AVP_SLOT_PPP_DISCONNECT_CAUSE_CODE;
	case L2TP_AVP_FAILOVER_CAPABILITY:
	case L2TP_AVP_TUNNEL_RECOVERY:
	case L2TP_AVP_SUGGESTED_CONTROL_SEQUENCE:
	case L2TP_AVP_FAILOVER_SESSION_STATE:
		return AVP_SLOT_FAILOVER_CAPABILITY + (type - L2TP_AVP_FAILOVER_CAPABILITY);
	default:
		return -1;
	}
}

uint16_t avp_slot_type(int slot)
{
	if (slot < AVP_SLOT_PPP_DISCONNECT_CAUSE_CODE)
		return (uint16_t)slot;
	if (slot == AVP_SLOT_PPP_DISCONNECT_CAUSE_CODE)
		return L2TP_AVP_PPP_DISCONNECT_CAUSE_CODE;
	return (uint16_t)(L2TP_AVP_FAILOVER_CAPABILITY + (slot - AVP_SLOT_FAILOVER_CAPABILITY));
}

void msg_init(struct l2tp_msg *m, uint16_t type)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->type_mandatory = type != L2TP_MSG_FSQ && type != L2TP_MSG_FSR; /* RFC 4951 §4 */
	m->present = AVP_BIT(L2TP_AVP_MESSAGE_TYPE);
}

static uint64_t bit_of(uint16_t avp_type)
{
	int slot = avp_slot(avp_type);

	return slot < 0 ? 0 : AVP_BIT(slot);
}

bool msg_has(const struct l2tp_msg *m, uint16_t avp_type)
{
	return (m->present & bit_of(avp_type)) != 0;
}

void msg_set_present(struct l2tp_msg *m, uint16_t avp_type)
{
	m->present |= bit_of(avp_type);
}

void msg_set_hidden(struct l2tp_msg *m, uint16_t avp_type)
{
	m->hidden |= bit_of(avp_type);
}

bool msg_is_hidden(const struct l2tp_msg *m, uint16_t avp_type)
{
	return (m->hidden & bit_of(avp_type)) != 0;
}

struct blob blob_from_str(const char *s)
{
	size_t n = strlen(s);

	return (struct blob){ .ptr = (const uint8_t *)s, .len = n > UINT16_MAX ? UINT16_MAX : (uint16_t)n };
}
