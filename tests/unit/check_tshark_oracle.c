/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An outside oracle: every message the encoder can produce (each type, with mandatory AVPs
 * only and with every allowed AVP, plain and hidden, plus a ZLB) goes into a pcap, and
 * Wireshark's dissector (tshark) must find no malformed packet and no expert warning or error,
 * and must report the same message type, IDs, Ns/Nr, result/error codes, host name and
 * assigned IDs as were encoded. Hidden values are opaque to tshark and are left out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "avp.h"
#include "encode.h"
#include "msg_rules.h"
#include "pcap_udp.h"
#include "samples.h"
#include "suites.h"
#include "test_random.h"

#define MAX_FRAMES 80

static struct l2tp_msg frames[MAX_FRAMES];
static unsigned int n_frames;
static char dir[64];
static char pcap_path[96];

static void write_pcap(void)
{
	static uint8_t buf[L2TP_MAX_MSG_LEN];
	struct test_random rnd;
	struct encode_opts opts = { .secret = &sample_secret,
				    .random = test_random_fill,
				    .random_arg = &rnd };
	struct pcap_udp p;
	size_t i;
	int len;

	snprintf(dir, sizeof(dir), "/tmp/l2tpkd-oracle.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(pcap_path, sizeof(pcap_path), "%s/codec.pcap", dir);
	ck_assert_int_eq(pcap_udp_create(&p, pcap_path), 0);
	test_random_init(&rnd, 42);
	n_frames = 0;
	for (i = 0; i < N_SAMPLE_VARIANTS; i++) {
		struct l2tp_msg *m = &frames[n_frames++];

		sample_variant(m, i);
		len = encode_control(m, &opts, buf, sizeof(buf));
		ck_assert_int_gt(len, 0);
		ck_assert_int_eq(pcap_udp_write(&p, buf, (size_t)len), 0);
	}
	msg_init(&frames[n_frames], 0);
	frames[n_frames].zlb = true;
	frames[n_frames].tunnel_id = 77;
	ck_assert_int_eq(encode_control(&frames[n_frames++], NULL, buf, sizeof(buf)), 12);
	ck_assert_int_eq(pcap_udp_write(&p, buf, 12), 0);
	pcap_udp_close(&p);
}

static void cleanup(void)
{
	unlink(pcap_path);
	rmdir(dir);
}

/* Runs tshark over the capture; returns its stdout (static) or fails the test. */
static char *tshark(const char *args)
{
	static char out[1 << 20];
	char cmd[1024];
	size_t n;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "'%s' -n -r '%s' %s 2>/dev/null", TSHARK_PATH, pcap_path, args);
	f = popen(cmd, "r");
	ck_assert_msg(f != NULL, "cannot run %s", TSHARK_PATH);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	ck_assert_msg(pclose(f) == 0, "tshark failed (is it installed? scripts/check installs it): %s", cmd);
	return out;
}

/*
 * Wireshark 4.0 predates the RFC 4951 AVPs (76-79) and flags each one it sees with the expert
 * warning "Vendor-Specific AVP data". That is the oracle's gap, not a defect: so each frame
 * must carry exactly that many such warnings (one per visible 76-79 AVP) and nothing else.
 */
static unsigned int unknown_to_wireshark(const struct l2tp_msg *m)
{
	unsigned int n = 0;
	int slot;

	for (slot = AVP_SLOT_FAILOVER_CAPABILITY; slot <= AVP_SLOT_FAILOVER_SESSION_STATE; slot++)
		if ((m->present & AVP_BIT(slot)) && !(m->hidden & AVP_BIT(slot)))
			n += slot == AVP_SLOT_FAILOVER_SESSION_STATE ? m->n_fss : 1;
	return n;
}

START_TEST(test_no_malformed_packet_or_expert_warning)
{
	unsigned int flagged[MAX_FRAMES + 1] = { 0 }, frame, i;
	char *out, *line, *save = NULL, *msg, *save_msg = NULL;

	write_pcap();
	/* Warning is 0x00600000 and error 0x00800000 in Wireshark's expert severities. */
	out = tshark("-Y '_ws.malformed || _ws.expert.severity >= 0x00600000' -T fields -E separator='|' "
		     "-e frame.number -e _ws.malformed -e _ws.expert.message");
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ck_assert_msg(sscanf(line, "%u|", &frame) == 1 && frame >= 1 && frame <= n_frames, "%s",
			      line);
		ck_assert_msg(strstr(line, "||") != NULL, "malformed frame: %s", line);
		for (msg = strtok_r(strstr(line, "||") + 2, ",", &save_msg); msg;
		     msg = strtok_r(NULL, ",", &save_msg)) {
			ck_assert_msg(strcmp(msg, "Vendor-Specific AVP data") == 0, "frame %u: %s", frame,
				      msg);
			flagged[frame]++;
		}
	}
	for (i = 0; i < n_frames; i++)
		ck_assert_msg(flagged[i + 1] == unknown_to_wireshark(&frames[i]),
			      "%s frame %u: %u warnings, %u expected", msg_type_name(frames[i].type), i + 1,
			      flagged[i + 1], unknown_to_wireshark(&frames[i]));
	cleanup();
}
END_TEST

/* Appends "%u" to the line when the AVP is present and not hidden, else nothing. */
static void expect_u(char *line, size_t n, const struct l2tp_msg *m, uint16_t avp, unsigned int v)
{
	size_t len = strlen(line);

	if (msg_has(m, avp) && !msg_is_hidden(m, avp))
		snprintf(line + len, n - len, "%u", v);
	len = strlen(line);
	snprintf(line + len, n - len, "|");
}

static void expected_line(const struct l2tp_msg *m, unsigned int frame, char *line, size_t n)
{
	size_t len;

	snprintf(line, n, "%u|", frame);
	if (!m->zlb)
		expect_u(line, n, m, L2TP_AVP_MESSAGE_TYPE, m->type);
	else
		strcat(line, "|");
	len = strlen(line);
	snprintf(line + len, n - len, "%u|%u|%u|%u|", m->tunnel_id, m->session_id, m->ns, m->nr);
	expect_u(line, n, m, L2TP_AVP_RESULT_CODE, m->result_code.result);
	len = strlen(line);
	if (msg_has(m, L2TP_AVP_RESULT_CODE) && m->result_code.has_error)
		snprintf(line + len, n - len, "%u", m->result_code.error);
	strcat(line, "|");
	len = strlen(line);
	if (msg_has(m, L2TP_AVP_HOST_NAME))
		snprintf(line + len, n - len, "%.*s", m->host_name.len, m->host_name.ptr);
	strcat(line, "|");
	expect_u(line, n, m, L2TP_AVP_ASSIGNED_TUNNEL_ID, m->assigned_tunnel_id);
	expect_u(line, n, m, L2TP_AVP_ASSIGNED_SESSION_ID, m->assigned_session_id);
	line[strlen(line) - 1] = '\0';
}

START_TEST(test_fields_match_what_was_encoded)
{
	char expect[512], *out, *line, *save = NULL;
	unsigned int frame = 0;

	write_pcap();
	out = tshark("-T fields -E separator='|' -e frame.number -e l2tp.avp.message_type -e l2tp.tunnel "
		     "-e l2tp.session -e l2tp.Ns -e l2tp.Nr -e l2tp.result_code -e l2tp.avp.error_code "
		     "-e l2tp.avp.host_name -e l2tp.avp.assigned_tunnel_id -e l2tp.avp.assigned_session_id");
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ck_assert_uint_lt(frame, n_frames);
		expected_line(&frames[frame], frame + 1, expect, sizeof(expect));
		ck_assert_msg(strcmp(line, expect) == 0, "%s frame %u:\n tshark:  %s\n encoded: %s",
			      msg_type_name(frames[frame].type), frame + 1, line, expect);
		frame++;
	}
	ck_assert_uint_eq(frame, n_frames);
	cleanup();
}
END_TEST

Suite *suite_tshark_oracle(void)
{
	Suite *s = suite_create("tshark_oracle");
	TCase *tc = tcase_create("tshark");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_no_malformed_packet_or_expert_warning);
	tcase_add_test(tc, test_fields_match_what_was_encoded);
	suite_add_tcase(s, tc);
	return s;
}
