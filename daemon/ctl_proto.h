/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol's pieces both ends share (include/l2tp/ctl.h is the wire contract):
 * one policy per attribute space saying each attribute's type and length, a validating
 * attribute parser for hostile input (the daemon parses requests with it, l2tpctl replies),
 * and a bounded message writer over libmnl that notes overflow instead of writing past the
 * buffer. Pure: no sockets, no allocation.
 */
#ifndef L2TPKD_CTL_PROTO_H
#define L2TPKD_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "l2tp/ctl.h"

enum ctl_attr_kind {
	CTL_ATTR_NONE = 0, /* not known here: skipped */
	CTL_ATTR_U8,
	CTL_ATTR_U16,
	CTL_ATTR_U32,
	CTL_ATTR_U64,
	CTL_ATTR_STRING, /* NUL-terminated, no NUL inside, at most max_len octets with the NUL */
	CTL_ATTR_BINARY, /* min_len..max_len octets */
	CTL_ATTR_NESTED, /* attributes of the nested policy */
};

struct ctl_policy;

struct ctl_attr_policy {
	const char *name; /* for error messages: "tunnel_id" */
	enum ctl_attr_kind kind;
	uint16_t min_len, max_len;
	const struct ctl_policy *nested;
};

struct ctl_policy {
	const char *name;
	const struct ctl_attr_policy *attrs; /* indexed by attribute type, 0..max */
	uint16_t max;
};

extern const struct ctl_policy ctl_policy_top;	   /* enum l2tpkd_ctl_attr */
extern const struct ctl_policy ctl_policy_control; /* enum l2tpkd_ctl_control_attr */
extern const struct ctl_policy ctl_policy_call;	   /* enum l2tpkd_ctl_call_attr */
extern const struct ctl_policy ctl_policy_kernel;  /* enum l2tpkd_ctl_kernel_attr */
extern const struct ctl_policy ctl_policy_engine;  /* enum l2tpkd_ctl_engine_attr */
extern const struct ctl_policy ctl_policy_limits;  /* enum l2tpkd_ctl_limits_attr */

/* Where parsing stopped: a reason and the offending attribute (NULL if none). */
struct ctl_parse_error {
	char why[160];
	const struct nlattr *attr;
};

/*
 * Validates the attributes in payload[0..len) against policy (nested ones recursively) and
 * fills tb[0..policy->max] (tb may be NULL to validate only). Unknown types are skipped;
 * a wrong length, a bad string, a duplicate or octets that are not a whole attribute give
 * -EINVAL with err filled.
 */
int ctl_parse(const void *payload, size_t len, const struct ctl_policy *policy, const struct nlattr **tb,
	      struct ctl_parse_error *err);
/* The attributes right after a message header. */
int ctl_parse_msg(const struct nlmsghdr *nlh, const struct ctl_policy *policy, const struct nlattr **tb,
		  struct ctl_parse_error *err);
/* The attributes inside nest, which must be a nested attribute of policy's space. */
int ctl_parse_nested(const struct nlattr *nest, const struct ctl_policy *policy, const struct nlattr **tb,
		     struct ctl_parse_error *err);

/* A message under construction in a caller's buffer. Once overflow is set, puts do nothing. */
struct ctl_msg {
	struct nlmsghdr *nlh;
	size_t room; /* octets from nlh to the end of the buffer */
	bool overflow;
};

void ctl_msg_init(struct ctl_msg *m, void *buf, size_t room, uint16_t type, uint16_t flags, uint32_t seq,
		  uint32_t pid);
void ctl_put_u8(struct ctl_msg *m, uint16_t type, uint8_t v);
void ctl_put_u16(struct ctl_msg *m, uint16_t type, uint16_t v);
void ctl_put_u32(struct ctl_msg *m, uint16_t type, uint32_t v);
void ctl_put_u64(struct ctl_msg *m, uint16_t type, uint64_t v);
void ctl_put_bin(struct ctl_msg *m, uint16_t type, const void *p, size_t len);
/* s cut to max - 1 octets (max counts the NUL), so it passes a policy of that bound. */
void ctl_put_str(struct ctl_msg *m, uint16_t type, const char *s, size_t max);
/* NULL if the nest did not fit (then ctl_nest_end does nothing). */
struct nlattr *ctl_nest_begin(struct ctl_msg *m, uint16_t type);
void ctl_nest_end(struct ctl_msg *m, struct nlattr *nest);

#endif
