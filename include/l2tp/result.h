/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Result Code AVP values (RFC 2661 §4.4.2 and later registrations; the digest in
 * shared/spec/l2tp-protocol.md §1.5 names the source of each).
 *
 * StopCCN and CDN share the Result Code field but not its meaning, hence two prefixes.
 * The General Error Code (L2TP_EC_*) travels with Result 2 in either message.
 */
#ifndef L2TP_RESULT_H
#define L2TP_RESULT_H

/* StopCCN result codes. */
enum l2tp_stopccn_result {
	L2TP_RC_STOPCCN_RESERVED = 0,
	L2TP_RC_STOPCCN_CLEAR = 1,	    /* general request to clear control connection */
	L2TP_RC_STOPCCN_GENERAL_ERROR = 2,  /* see the error code */
	L2TP_RC_STOPCCN_ALREADY_EXISTS = 3, /* control channel already exists */
	L2TP_RC_STOPCCN_NOT_AUTHORIZED = 4, /* requester is not authorized */
	L2TP_RC_STOPCCN_BAD_VERSION = 5,    /* error code = highest version supported */
	L2TP_RC_STOPCCN_SHUTTING_DOWN = 6,  /* requester is being shut down */
	L2TP_RC_STOPCCN_FSM_ERROR = 7,	    /* finite state machine error (or timeout, RFC 3931) */
	L2TP_RC_STOPCCN_CCDS_MISMATCH = 8,  /* RFC 3308 */
};
#define L2TP_RC_STOPCCN_MAX 8

/* CDN result codes. */
enum l2tp_cdn_result {
	L2TP_RC_CDN_RESERVED = 0,
	L2TP_RC_CDN_LOST_CARRIER = 1,
	L2TP_RC_CDN_GENERAL_ERROR = 2, /* see the error code */
	L2TP_RC_CDN_ADMINISTRATIVE = 3,
	L2TP_RC_CDN_NO_FACILITIES_TEMPORARY = 4,
	L2TP_RC_CDN_NO_FACILITIES_PERMANENT = 5,
	L2TP_RC_CDN_INVALID_DESTINATION = 6,
	L2TP_RC_CDN_NO_CARRIER = 7,
	L2TP_RC_CDN_BUSY = 8,
	L2TP_RC_CDN_NO_DIAL_TONE = 9,
	L2TP_RC_CDN_TIMEOUT = 10, /* not established within the LAC's time allotment */
	L2TP_RC_CDN_NO_FRAMING = 11,
	L2TP_RC_CDN_SDS_MISMATCH = 12,		  /* RFC 3308 */
	L2TP_RC_CDN_LOST_TIE_BREAKER = 13,	  /* RFC 3931 */
	L2TP_RC_CDN_UNSUPPORTED_PW_TYPE = 14,	  /* RFC 3931 */
	L2TP_RC_CDN_SEQUENCING_WITHOUT_L2SS = 15, /* RFC 3931 */
	L2TP_RC_CDN_FSM_ERROR = 16,		  /* RFC 3931 */
	L2TP_RC_CDN_FR_PVC_DELETED = 17,	  /* RFC 4591 */
	L2TP_RC_CDN_FR_PVC_INACTIVE = 18,	  /* RFC 4591 */
	L2TP_RC_CDN_FR_HEADER_LENGTH = 19,	  /* RFC 4591 */
	L2TP_RC_CDN_HDLC_LINK_DELETED = 20,	  /* RFC 4349 */
	L2TP_RC_CDN_HDLC_LINK_INACTIVE = 21,	  /* RFC 4349 */
	L2TP_RC_CDN_NO_OAM_EMULATION = 22,	  /* RFC 4454 */
	L2TP_RC_CDN_MTU_MISMATCH = 23,		  /* RFC 4667 */
	L2TP_RC_CDN_NO_FORWARDER = 24,		  /* RFC 4667 */
	L2TP_RC_CDN_UNAUTHORIZED_FORWARDER = 25,  /* RFC 4667 */
	L2TP_RC_CDN_LOOP_DETECTED = 26,		  /* RFC 6073 */
	L2TP_RC_CDN_AC_BOUND_TO_OTHER_PE = 27,	  /* RFC 6074 */
	L2TP_RC_CDN_AC_BOUND_TO_OTHER_AC = 28,	  /* RFC 6074 */
	/* 29 is unassigned */
	L2TP_RC_CDN_TDM_PW_PARAMETERS = 30,	   /* RFC 5611 */
	L2TP_RC_CDN_SEQUENCING_NOT_SUPPORTED = 31, /* RFC 6073 */
};
#define L2TP_RC_CDN_MAX 31

/* General error codes, RFC 2661 §4.4.2; 9 from RFC 3931 §5.4.2; 10-12 from RFC 6073. */
enum l2tp_error_code {
	L2TP_EC_NONE = 0,
	L2TP_EC_NO_CONTROL_CONNECTION = 1, /* no control connection yet for this LAC-LNS pair */
	L2TP_EC_BAD_LENGTH = 2,
	L2TP_EC_BAD_VALUE = 3,		   /* field out of range or reserved field non-zero */
	L2TP_EC_NO_RESOURCES = 4,	   /* insufficient resources to handle this operation now */
	L2TP_EC_BAD_SESSION_ID = 5,	   /* Session ID invalid in this context */
	L2TP_EC_VENDOR = 6,		   /* generic vendor-specific error */
	L2TP_EC_TRY_ANOTHER = 7,	   /* try another LNS */
	L2TP_EC_UNKNOWN_MANDATORY_AVP = 8, /* message names the attribute */
	L2TP_EC_TRY_ANOTHER_DIRECTED = 9,  /* message lists the addresses to try */
	L2TP_EC_NEXT_HOP_UNREACHABLE = 10,
	L2TP_EC_NEXT_HOP_BUSY = 11,
	L2TP_EC_TSA_BUSY = 12,
};
#define L2TP_EC_MAX 12

#endif
