#!/usr/bin/env python3
"""Independent L2TPv2 test vectors, written from RFC 2661 / 3145 / 4951 layouts.

Shares no code with the C codec: it builds, byte by byte, the messages that
tests/common/samples.c describes (same values), plain and with every hideable AVP hidden
(RFC 2661 section 4.3, no padding), plus tunnel-authentication answers (section 5.1.1).
Output: tests/unit/vectors.inc, included by tests/unit/check_vectors.c.

usage: tests/vectors/gen_vectors.py > tests/unit/vectors.inc
"""
import hashlib
import struct

SECRET = b"l2tpkd-shared-secret"
CHALLENGE = bytes.fromhex("2e554a6af710d814c73881b213e72b65")
RV = bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
LCP = bytes.fromhex("010405d4" "0506" "12345678")  # LCP options only: MRU, Magic-Number
CHAP_RESPONSE = bytes(range(0xA1, 0xB1))

# type: (name, M bit, may hide)
AVPS = {
    0: ("Message Type", 1, 0), 1: ("Result Code", 1, 0), 2: ("Protocol Version", 1, 0),
    3: ("Framing Capabilities", 1, 1), 4: ("Bearer Capabilities", 1, 1), 5: ("Tie Breaker", 0, 0),
    6: ("Firmware Revision", 0, 1), 7: ("Host Name", 1, 0), 8: ("Vendor Name", 0, 1),
    9: ("Assigned Tunnel ID", 1, 1), 10: ("Receive Window Size", 1, 0), 11: ("Challenge", 1, 1),
    12: ("Q.931 Cause Code", 1, 0), 13: ("Challenge Response", 1, 1),
    14: ("Assigned Session ID", 1, 1), 15: ("Call Serial Number", 1, 1), 16: ("Minimum BPS", 1, 1),
    17: ("Maximum BPS", 1, 1), 18: ("Bearer Type", 1, 1), 19: ("Framing Type", 1, 1),
    21: ("Called Number", 1, 1), 22: ("Calling Number", 1, 1), 23: ("Sub-Address", 1, 1),
    24: ("Tx Connect Speed", 1, 1), 25: ("Physical Channel ID", 0, 1),
    26: ("Initial Received LCP CONFREQ", 0, 1), 27: ("Last Sent LCP CONFREQ", 0, 1),
    28: ("Last Received LCP CONFREQ", 0, 1), 29: ("Proxy Authen Type", 0, 1),
    30: ("Proxy Authen Name", 0, 1), 31: ("Proxy Authen Challenge", 0, 1),
    32: ("Proxy Authen ID", 0, 1), 33: ("Proxy Authen Response", 0, 1), 34: ("Call Errors", 1, 1),
    35: ("ACCM", 1, 1), 36: ("Random Vector", 1, 0), 37: ("Private Group ID", 0, 1),
    38: ("Rx Connect Speed", 0, 1), 39: ("Sequencing Required", 1, 0),
    46: ("PPP Disconnect Cause Code", 0, 1), 76: ("Failover Capability", 0, 1),
    77: ("Tunnel Recovery", 1, 0), 78: ("Suggested Control Sequence", 0, 1),
    79: ("Failover Session State", 1, 1),
}

ANY = [36]
SCCRX_MUST = [2, 3, 7, 9]
SCCRX_MAY = [4, 6, 8, 10, 11, 76]
PROXY = [26, 27, 28, 29, 30, 31, 32, 33]
# message type: (name, session scoped, must, may) -- RFC 2661 section 6, RFC 4951 section 4
MSGS = {
    1: ("SCCRQ", False, SCCRX_MUST, SCCRX_MAY + [5, 77]),
    2: ("SCCRP", False, SCCRX_MUST, SCCRX_MAY + [13, 78]),
    3: ("SCCCN", False, [], [13]),
    4: ("StopCCN", False, [9, 1], [76]),
    6: ("HELLO", False, [], []),
    7: ("OCRQ", True, [14, 15, 16, 17, 18, 19, 21], [23]),
    8: ("OCRP", True, [14], [25]),
    9: ("OCCN", True, [24, 19], [38, 39]),
    10: ("ICRQ", True, [14, 15], [18, 25, 22, 21, 23]),
    11: ("ICRP", True, [14], []),
    12: ("ICCN", True, [24, 19], PROXY + [37, 38, 39]),
    14: ("CDN", True, [1, 14], [12, 46]),
    15: ("WEN", True, [34], []),
    16: ("SLI", True, [35], []),
    21: ("FSQ", False, [79], []),
    22: ("FSR", False, [79], []),
}


def u16(v):
    return struct.pack("!H", v)


def u32(v):
    return struct.pack("!I", v)


def value(avp, msg_type):
    """The value octets of one AVP, as samples.c fills it."""
    if avp == 1:
        result = 2  # general error, for StopCCN and CDN alike
        return u16(result) + u16(6) + b"session limit reached"
    return {
        2: bytes([1, 0]), 3: u32(3), 4: u32(3), 5: bytes.fromhex("0123456789abcdef"),
        6: u16(0x0680), 7: b"lac1.example.net", 8: b"l2tpkd", 9: u16(0xDB05), 10: u16(8),
        11: CHALLENGE, 12: u16(16) + bytes([0x5A]) + b"normal call clearing",
        13: CHAP_RESPONSE, 14: u16(0xAE3A), 15: u32(77), 16: u32(9600), 17: u32(100000000),
        18: u32(2), 19: u32(1), 21: b"5551234", 22: b"5556789", 23: b"42",
        24: u32(100000000), 25: u32(7), 26: LCP, 27: LCP[:-6], 28: LCP[4:], 29: u16(2),
        30: b"subscriber@isp.example", 31: CHALLENGE[:12], 32: bytes([0, 17]),
        33: CHAP_RESPONSE, 34: u16(0) + b"".join(u32(i) for i in range(1, 7)),
        35: u16(0) + u32(0xFFFFFFFF) + u32(0x000A0000), 36: RV, 37: b"vrf-blue",
        38: u32(50000000), 39: b"", 46: u16(3) + u16(0xC021) + bytes([1]) + b"LCP echo timeout",
        76: u16(3) + u32(60000), 77: u16(0) + u32(0x1111) + u32(0x2222),
        78: u16(0) + u16(3) + u16(100),
    }[avp]


def hide(avp_type, plain):
    """RFC 2661 section 4.3: subformat = length || value, XORed with an MD5 chain."""
    sub = u16(len(plain)) + plain
    out = b""
    key = hashlib.md5(u16(avp_type) + SECRET + RV).digest()
    for i in range(0, len(sub), 16):
        chunk = bytes(a ^ b for a, b in zip(sub[i:i + 16], key))
        out += chunk
        key = hashlib.md5(SECRET + chunk).digest()
    return out


def avp(avp_type, val, hidden, mandatory=None, vendor=0):
    m = AVPS[avp_type][1] if mandatory is None else mandatory
    if hidden:
        val = hide(avp_type, val)
    flags = (0x8000 if m else 0) | (0x4000 if hidden else 0)
    return u16(flags | (6 + len(val))) + u16(vendor) + u16(avp_type) + val


def message(msg_type, every, hidden):
    name, session, must, may = MSGS[msg_type]
    avps = sorted(set(must + (may + ANY if every else [])))
    if hidden and 36 not in avps and any(AVPS[a][2] for a in avps):
        avps = sorted(avps + [36])
    body = avp(0, u16(msg_type), False, mandatory=0 if msg_type in (21, 22) else 1)
    if 36 in avps:
        body += avp(36, RV, False)
    for a in avps:
        if a == 36:
            continue
        h = hidden and AVPS[a][2] == 1
        if a == 79:
            fss = [(0x0101, 0x0A0A), (0 if msg_type == 22 else 0x0202, 0x0B0B), (0x0303, 0x0C0C)]
            for sid, remote in fss:
                body += avp(79, u16(0) + u32(sid) + u32(remote), h)
        else:
            body += avp(a, value(a, msg_type), h)
    if every and msg_type in (4, 14):
        body += avp(1, u32(42), False, mandatory=0, vendor=9)  # Cisco vendor AVP type 1
    tunnel = 0 if msg_type == 1 else 0x6E1A
    sid = 0xC43F if session and msg_type not in (7, 10) else 0
    header = u16(0xC802) + u16(12 + len(body)) + u16(tunnel) + u16(sid) + u16(5) + u16(3)
    return header + body


def c_hex(data):
    return "".join("%02x" % b for b in data)


def main():
    print("/* Generated by tests/vectors/gen_vectors.py: do not edit. */")
    print("static const struct vector vectors[] = {")
    for t in MSGS:
        for every in (False, True):
            for hidden in (False, True):
                print('\t{ %d, %s, %s, "%s" },' % (t, "true" if every else "false",
                                                   "true" if hidden else "false",
                                                   c_hex(message(t, every, hidden))))
    print("};")
    print("/* MD5(ID || secret || challenge), RFC 2661 section 5.1.1: SCCRP (ID 2), SCCCN (ID 3). */")
    for ident in (2, 3):
        digest = hashlib.md5(bytes([ident]) + SECRET + CHALLENGE).digest()
        print('static const char response_id%d[] = "%s";' % (ident, c_hex(digest)))


if __name__ == "__main__":
    main()
