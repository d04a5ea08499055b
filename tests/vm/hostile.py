#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile input to a running l2tpkd LNS, and what it must answer (VM scenario).

Run from another network namespace than the daemon, while it carries live PPP sessions:

    python3 hostile.py --target 10.0.0.2 [--port 1701] [--expect-max-tunnels M]
                       [--existing-tunnels K] [--flood N] [--flood-rate R] [--seed S]
    python3 hostile.py --self-test

Every probe leaves from a fresh UDP socket (a new source port, so it never matches a tunnel
the daemon already has) and prints one line, "hostile: NAME: ok (...)" or
"hostile: NAME: FAILED (why)"; the last line is "hostile: N passed, N failed" and the exit
status is 1 if anything failed. The expected answers are what RFC 2661 asks and what the
engine (daemon/header.c, decode.c, engine.c, tunnel_accept.c, tunnel_fsm.c,
session_input.c) does; the section is cited with each probe below and in the code.

"Silent" means no datagram within --timeout (1.5 s). A "refusal" is the stateless StopCCN of
tunnel_accept.c: header Tunnel ID = the Assigned Tunnel ID our SCCRQ carried, Ns 0, Nr 1,
Result Code as stated, a non-zero Assigned Tunnel ID, and nothing else. The engine can only
address a refusal if it decoded our Assigned Tunnel ID before the fault, so the probes put
the fault after it, except those that test exactly that (they expect silence).

1. header/*: malformed headers are discarded without reply (RFC 2661 §3.1 "unknown Ver
   MUST be discarded", §7.1 "a control message with a malformed header should be
   discarded"): an empty datagram; 1, 5 and 11 octets; Length beyond the datagram; Length
   shorter than the header; a control message with L clear, S clear, O set or P set;
   version 3; version 1 (L2F, §8.1 shares the port).
2. oversize/garbage: a 65,000-octet SCCRQ whose Length says 65,000: the mandatory AVPs,
   then unknown M=0 AVPs of random octets (ignored, §4.1), then a last AVP whose Length
   runs past the end: refusal, Result 2 Error 2 "length wrong" (§4.4.2, §7.1).
   oversize/trailing: a valid SCCRQ whose Length is shorter than the 65,000-octet datagram:
   the Length is the message (§3.1, header.c ignores what follows): SCCRP.
3. avp/*, SCCRQ to tunnel 0 with a bad AVP after the Assigned Tunnel ID (§4.1, §7.1):
   Length below 6, Length 0, Length past the end, octets too few for an AVP header,
   a value too short for its type (Framing Capabilities of 2 octets): refusal 2/2.
   A Host Name with the H bit (§4.4.3: it MUST NOT be hidden), a hidden AVP without a
   Random Vector before it (§4.3), a Receive Window Size of 0 (§5.8), no Host Name
   (§6.1): refusal 2/3. The same faults before the Assigned Tunnel ID, an Assigned
   Tunnel ID of 0 (§4.4.3), a Message Type that is not the first AVP or is hidden
   (§4.4.1), an unknown Message Type with M=1 or M=0 (§4.4.1; only an SCCRQ is refused),
   an SCCRQ with Ns 1 (§5.8: the first message has Ns 0) or to a tunnel ID that is not 0
   (§3.1): silent.
4. mandatory/*: an unknown IETF AVP (type 200) with M=1, a vendor AVP with M=1, a known
   AVP with a reserved bit set (§4.1: treated as unrecognised): the tunnel is torn down
   before it exists, refusal 2/8 naming the attribute (§4.1, §4.2, §4.4.2 "Error Message
   SHOULD name the attribute"). tolerated/*: an unknown AVP with M=0 (§4.1: ignored), and
   an SCCRQ with reserved header bits set (§3.1: ignored), a malformed M=0 AVP (§7.1:
   accepted as if absent) and an M=0 vendor AVP: SCCRP. tunnel/version-2: Protocol
   Version 2.0: a refusal with Result 5 and Error Code 0x0100, the highest version
   supported (§4.4.2), with no state kept.
   Every SCCRP is answered with a StopCCN (Result 1) that the daemon must acknowledge
   with a ZLB (§5.7), so no tunnel lingers beyond its 31 s hold.
5. unknown/*: a HELLO, an ICRQ, a StopCCN and an SCCRQ to tunnel IDs we never opened, a
   ZLB and a HELLO to tunnel 0 (only SCCRQ or StopCCN may go there), and a StopCCN to
   tunnel 0 naming no tunnel of the daemon: silent (engine.c "no such tunnel"; a tunnel ID
   that happens to exist belongs to another port, which the engine also discards, §8.1).
6. data/*: data messages (T=0) to port 1701 for no session: with and without Length,
   with Ns/Nr, with an Offset: silent (§3.1; engine.c, the kernel owns data).
7. in-tunnel/*: a tunnel brought up (SCCRQ, SCCRP, SCCCN, ZLB; with --secret if the LNS
   challenges, §5.1.1), then inside it: an ICRQ with an unknown M=1 AVP after its Assigned
   Session ID: CDN 2/8 to that session (§4.1 session scope, §6.12), acknowledging our Ns;
   an ICRQ without Call Serial Number: CDN 2/3 (§6.6, §7.1); an ICRQ whose fault comes
   before its Assigned Session ID, an ICCN for a session that does not exist (ignored by
   session_input.c) and an unknown Message Type with M=0 (§4.4.1): a ZLB and nothing else
   (§5.8); a data message for an unknown session: silent; last a HELLO with an unknown M=1
   AVP: StopCCN 2/8 (§4.1 tunnel scope), acknowledged with a ZLB.
8. flood: --flood N valid SCCRQs (default 2000) from --flood-sockets ports (200), each with
   its own Assigned Tunnel ID, as fast as possible or at --flood-rate per second (the rate
   achieved is printed; below --flood-min-rate it fails). Every answer must be an SCCRP for one of ours or a StopCCN with
   the refusal code (--refusal, default 2:4, engine_config.c's refuse_tunnel), addressed
   to the tunnel ID that port sent. With --expect-max-tunnels M: at most
   M - K - (our tunnels still held) SCCRPs, and at least one refusal when N > M. Every
   SCCRP is closed as soon as it is read (StopCCN, ZLB expected).
9. final: a valid SCCRQ still gets an SCCRP (then closed). Closed tunnels count against
   max-tunnels for one full retransmission cycle (§5.7, --hold, 31 s), so when the limit
   would still be full it first waits for them to go: that also checks they are freed.

The scenario itself checks the daemon is alive, pings over the live sessions and asks
l2tpctl. --self-test checks the builder and parser (round trips, a hidden-AVP vector from
tests/unit/vectors.inc, the xl2tpd capture in tests/vectors/xl2tpd.pcap) and that every
reply check rejects a wrong answer.
"""

import argparse
import dataclasses
import hashlib
import os
import random
import select
import socket
import struct
import sys
import time
import types

# ---------------------------------------------------------------- wire (RFC 2661) ----

HDR_T, HDR_L, HDR_S, HDR_O, HDR_P = 0x8000, 0x4000, 0x0800, 0x0200, 0x0100
HDR_VER_MASK = 0x000F
HDR_RESERVED = 0x34F0
CONTROL = HDR_T | HDR_L | HDR_S | 2  # §3.1: control messages have L and S, Ver 2
CONTROL_HDR_LEN = 12

AVP_M, AVP_H, AVP_RESERVED, AVP_LEN_MASK = 0x8000, 0x4000, 0x3C00, 0x03FF
AVP_HDR_LEN = 6

SCCRQ, SCCRP, SCCCN, STOPCCN, HELLO = 1, 2, 3, 4, 6
ICRQ, ICRP, ICCN, CDN = 10, 11, 12, 14
MSG_NAMES = {1: "SCCRQ", 2: "SCCRP", 3: "SCCCN", 4: "StopCCN", 6: "HELLO", 7: "OCRQ",
             8: "OCRP", 9: "OCCN", 10: "ICRQ", 11: "ICRP", 12: "ICCN", 14: "CDN", 15: "WEN",
             16: "SLI", 21: "FSQ", 22: "FSR"}

A_MESSAGE_TYPE, A_RESULT_CODE, A_PROTOCOL_VERSION, A_FRAMING_CAPS = 0, 1, 2, 3
A_FIRMWARE_REVISION, A_HOST_NAME, A_VENDOR_NAME, A_TUNNEL_ID = 6, 7, 8, 9
A_RECEIVE_WINDOW = 10
A_CHALLENGE, A_CHALLENGE_RESPONSE, A_SESSION_ID, A_CALL_SERIAL = 11, 13, 14, 15
A_FRAMING_TYPE, A_TX_CONNECT_SPEED, A_RANDOM_VECTOR = 19, 24, 36
UNKNOWN_AVP = 200  # no IETF AVP has this type
UNKNOWN_MSG = 99   # nor message type
VENDOR_CISCO = 9

# Result 2 "general error" with these error codes (§4.4.2).
EC_BAD_LENGTH, EC_BAD_VALUE, EC_NO_RESOURCES, EC_UNKNOWN_M_AVP = 2, 3, 4, 8
RC_CLEAR, RC_GENERAL, RC_BAD_VERSION = 1, 2, 5

BIG = 65000  # octets in the oversized datagrams (an IPv4 UDP payload holds 65,507)


class ParseError(ValueError):
    """A reply that is not a well-formed L2TPv2 message."""


# ---------------------------------------------------------------- building ----

def u16(v):
    return struct.pack("!H", v)


def u32(v):
    return struct.pack("!I", v)


def avp(atype, value=b"", *, m=True, h=False, vendor=0, length=None, reserved=0):
    """One AVP (§4.1). length replaces the computed Length field, to build malformed ones."""
    n = AVP_HDR_LEN + len(value) if length is None else length
    word = (AVP_M if m else 0) | (AVP_H if h else 0) | reserved | (n & AVP_LEN_MASK)
    return struct.pack("!HHH", word, vendor, atype) + value


def avp_u16(atype, v, **kw):
    return avp(atype, u16(v), **kw)


def avp_u32(atype, v, **kw):
    return avp(atype, u32(v), **kw)


def control(body, tunnel_id=0, session_id=0, ns=0, nr=0, *, flags=CONTROL, length=None):
    """A control header (§3.1) and body; length replaces the Length field."""
    n = CONTROL_HDR_LEN + len(body) if length is None else length
    return struct.pack("!HHHHHH", flags, n, tunnel_id, session_id, ns, nr) + body


def message(msg_type, avps, **kw):
    """A control message: the Message Type AVP first (§4.4.1), then avps."""
    return control(avp_u16(A_MESSAGE_TYPE, msg_type) + b"".join(avps), **kw)


def sccrq_avps(tid, version=b"\x01\x00"):
    """The AVPs an SCCRQ must carry (§6.1), the Assigned Tunnel ID first."""
    return [avp_u16(A_TUNNEL_ID, tid), avp(A_PROTOCOL_VERSION, version),
            avp_u32(A_FRAMING_CAPS, 3), avp(A_HOST_NAME, b"hostile-lac")]


def sccrq(tid, extra=(), before=(), version=b"\x01\x00", **kw):
    """An SCCRQ to tunnel 0 assigning tid; before/extra: AVPs ahead of / after the usual."""
    return message(SCCRQ, list(before) + sccrq_avps(tid, version) + list(extra), **kw)


def stopccn(their_tid, our_tid, ns, nr, result=RC_CLEAR):
    """A StopCCN (§6.4) closing our tunnel our_tid, known to the peer as their_tid."""
    return message(STOPCCN, [avp_u16(A_TUNNEL_ID, our_tid), avp_u16(A_RESULT_CODE, result)],
                   tunnel_id=their_tid, ns=ns, nr=nr)


def zlb(their_tid, ns, nr):
    """A ZLB acknowledgement: a control header alone (§5.8)."""
    return control(b"", tunnel_id=their_tid, ns=ns, nr=nr)


def data_message(tid, sid, payload, *, length=False, sequence=False, offset=None):
    """A data message (T=0, §3.1), optionally with Length, Ns/Nr or an Offset pad."""
    flags = 2 | (HDR_L if length else 0) | (HDR_S if sequence else 0)
    flags |= HDR_O if offset is not None else 0
    rest = u16(tid) + u16(sid) + (u16(0) + u16(0) if sequence else b"")
    rest += u16(len(offset)) + offset if offset is not None else b""
    total = 2 + (2 if length else 0) + len(rest) + len(payload)
    return u16(flags) + (u16(total) if length else b"") + rest + payload


# Hiding (§4.3): the value's subformat XORed with MD5(type || secret || RV), then with
# MD5(secret || previous ciphertext block) for each 16 octets that follow.

def hide_transform(atype, secret, rv, data, decrypt):
    out, key = bytearray(), hashlib.md5(u16(atype) + secret + rv).digest()
    for i in range(0, len(data), 16):
        block = data[i:i + 16]
        done = bytes(a ^ b for a, b in zip(block, key))
        out += done
        key = hashlib.md5(secret + (block if decrypt else done)).digest()
    return bytes(out)


def hide(atype, value, secret, rv, pad=b""):
    return hide_transform(atype, secret, rv, u16(len(value)) + value + pad, False)


def unhide(atype, data, secret, rv):
    plain = hide_transform(atype, secret, rv, data, True)
    if len(plain) < 2 or struct.unpack("!H", plain[:2])[0] > len(plain) - 2:
        raise ParseError("hidden AVP %u does not decrypt (wrong secret?)" % atype)
    return plain[2:2 + struct.unpack("!H", plain[:2])[0]]


def chap_response(ident, secret, challenge):
    """Challenge Response (§5.1.1): MD5(ID || secret || challenge), ID = the message type."""
    return hashlib.md5(bytes([ident]) + secret + challenge).digest()


# ---------------------------------------------------------------- parsing ----

@dataclasses.dataclass
class Header:
    flags: int
    length: int
    tunnel_id: int
    session_id: int
    ns: int
    nr: int
    payload: int  # offset of the first AVP or of the data

    @property
    def control(self):
        return bool(self.flags & HDR_T)


@dataclasses.dataclass
class Avp:
    m: bool
    h: bool
    reserved: bool
    vendor: int
    type: int
    value: bytes       # the plaintext when it was hidden and could be revealed
    readable: bool     # False: hidden and no secret to reveal it


@dataclasses.dataclass
class Message:
    header: Header
    avps: list

    @property
    def zlb(self):
        return not self.avps

    @property
    def type(self):
        return None if self.zlb else struct.unpack("!H", self.avps[0].value)[0]

    @property
    def name(self):
        return "ZLB" if self.zlb else MSG_NAMES.get(self.type, "type %u" % self.type)

    def get(self, atype, vendor=0):
        return next((a for a in self.avps[1:] if a.type == atype and a.vendor == vendor), None)

    def u16(self, atype):
        """The value of a 2-octet AVP; None if absent or hidden beyond reach."""
        a = self.get(atype)
        return struct.unpack("!H", a.value)[0] if a is not None and a.readable else None

    def result(self):
        """(result, error or None, message) of the Result Code AVP (§4.4.2), or None."""
        a = self.get(A_RESULT_CODE)
        if a is None:
            return None
        err = struct.unpack("!H", a.value[2:4])[0] if len(a.value) >= 4 else None
        return (struct.unpack("!H", a.value[:2])[0], err,
                a.value[4:].decode("utf-8", "replace"))


def parse_header(buf):
    """The header of any L2TPv2 datagram, by the rules of §3.1 the daemon applies too."""
    if len(buf) < 2:
        raise ParseError("shorter than a header")
    flags, pos = struct.unpack("!H", buf[:2])[0], 2
    if flags & HDR_VER_MASK != 2:
        raise ParseError("version %u" % (flags & HDR_VER_MASK))
    control_msg = bool(flags & HDR_T)
    if control_msg and (flags & (HDR_L | HDR_S)) != (HDR_L | HDR_S):
        raise ParseError("control message without Length or Ns/Nr")
    if control_msg and flags & (HDR_O | HDR_P):
        raise ParseError("control message with Offset or Priority")
    fields = ["length"] if flags & HDR_L else []
    fields += ["tunnel_id", "session_id"] + (["ns", "nr"] if flags & HDR_S else [])
    fields += ["offset"] if flags & HDR_O else []
    if len(buf) < pos + 2 * len(fields):
        raise ParseError("header runs past the end")
    values = dict(zip(fields, struct.unpack("!%uH" % len(fields), buf[pos:pos + 2 * len(fields)])))
    pos += 2 * len(fields) + values.get("offset", 0)
    length = values.get("length", len(buf))
    if pos > len(buf) or length > len(buf) or length < pos:
        raise ParseError("Length %u does not fit a %u-octet datagram" % (length, len(buf)))
    return Header(flags, length, values["tunnel_id"], values["session_id"],
                  values.get("ns", 0), values.get("nr", 0), pos)


def parse_message(buf, secret=None):
    """A control message and its AVPs; hidden ones revealed when secret (bytes) is given."""
    h = parse_header(buf)
    if not h.control:
        raise ParseError("data message")
    avps, pos, rv = [], h.payload, None
    while pos < h.length:
        if h.length - pos < AVP_HDR_LEN:
            raise ParseError("%u trailing octets" % (h.length - pos))
        word, vendor, atype = struct.unpack("!HHH", buf[pos:pos + AVP_HDR_LEN])
        n = word & AVP_LEN_MASK
        if n < AVP_HDR_LEN or pos + n > h.length:
            raise ParseError("AVP %u has Length %u" % (atype, n))
        value, readable = bytes(buf[pos + AVP_HDR_LEN:pos + n]), True
        if word & AVP_H:
            readable = secret is not None and rv is not None
            value = unhide(atype, value, secret, rv) if readable else value
        elif atype == A_RANDOM_VECTOR and vendor == 0:
            rv = value
        avps.append(Avp(bool(word & AVP_M), bool(word & AVP_H), bool(word & AVP_RESERVED),
                        vendor, atype, value, readable))
        pos += n
    if avps and (avps[0].type, avps[0].vendor, len(avps[0].value)) != (A_MESSAGE_TYPE, 0, 2):
        raise ParseError("first AVP is not a Message Type")
    for a in avps:
        if a.vendor == 0 and a.readable and not value_size_ok(a.type, len(a.value)):
            raise ParseError("AVP %u with a value of %u octets" % (a.type, len(a.value)))
    return Message(h, avps)


def value_size_ok(atype, n):
    """The AVPs the checks read: 2-octet IDs and versions, Result Code (§4.4.2: 2, 4 or
    more octets)."""
    if atype in (A_MESSAGE_TYPE, A_PROTOCOL_VERSION, A_TUNNEL_ID, A_SESSION_ID):
        return n == 2
    return n >= 2 and n != 3 if atype == A_RESULT_CODE else True


def walk_avps(buf):
    """(vendor, type, Length) of each AVP up to the first that does not frame, and the
    octets left from there to the end of the message; for the self-test."""
    end = min(struct.unpack("!H", buf[2:4])[0], len(buf))
    pos, out = CONTROL_HDR_LEN, []
    while end - pos >= AVP_HDR_LEN:
        word, vendor, atype = struct.unpack("!HHH", buf[pos:pos + AVP_HDR_LEN])
        n = word & AVP_LEN_MASK
        if n < AVP_HDR_LEN or pos + n > end:
            break
        out.append((vendor, atype, n))
        pos += n
    return out, end - pos


# ---------------------------------------------------------------- reply checks ----
# Each returns None when the reply is right, else what is wrong: the probes report it.

def check_header(m, tid, ns, nr, session_id=0):
    h = m.header
    want = (tid, session_id, ns, nr)
    got = (h.tunnel_id, h.session_id, h.ns, h.nr)
    if got != want:
        return "%s header tunnel/session/Ns/Nr %u/%u/%u/%u, expected %u/%u/%u/%u" % (
            (m.name,) + got + want)
    if not m.zlb and not m.avps[0].m:
        return "%s with M=0 on its Message Type (§4.4.1)" % m.name
    return None


def check_result(m, msg_type, result, error, contains=None):
    """A StopCCN or CDN with exactly this Result and Error code (§4.4.2)."""
    if m.type != msg_type:
        return "%s, expected %s" % (m.name, MSG_NAMES[msg_type])
    a = m.get(A_RESULT_CODE)
    if a is None:
        return "%s without Result Code" % m.name
    if not a.m or a.h:
        return "Result Code with M=0 or hidden (§4.4.2)"
    rc = m.result()
    if (rc[0], rc[1] or 0) != (result, error):
        return "%s %s/%s %r, expected %u/%u" % (m.name, rc[0], rc[1], rc[2], result, error)
    if contains and contains not in rc[2]:
        return "%s message %r does not name %r" % (m.name, rc[2], contains)
    return None


def check_refusal(m, our_tid, result, error, contains=None):
    """The stateless StopCCN refusing our SCCRQ (tunnel_accept.c, §6.4)."""
    problem = check_header(m, our_tid, 0, 1) or check_result(m, STOPCCN, result, error, contains)
    if problem is None and m.get(A_TUNNEL_ID) is None:
        problem = "StopCCN without Assigned Tunnel ID (§6.4)"
    if problem is None and m.u16(A_TUNNEL_ID) == 0:
        problem = "StopCCN with Assigned Tunnel ID 0 (§4.4.3)"
    return problem


def check_sccrp(m, our_tid):
    """An SCCRP answering our SCCRQ (§6.2): header to our tunnel, Ns 0, Nr 1, its AVPs."""
    if m.type != SCCRP:
        rc = m.result() if m.type == STOPCCN else None
        return "%s%s, expected SCCRP" % (m.name, " %s/%s %r" % rc if rc else "")
    problem = check_header(m, our_tid, 0, 1)
    for atype in (A_PROTOCOL_VERSION, A_FRAMING_CAPS, A_HOST_NAME, A_TUNNEL_ID):
        if problem is None and m.get(atype) is None:
            problem = "SCCRP without AVP %u (§6.2)" % atype
    if problem is None and m.get(A_PROTOCOL_VERSION).value != b"\x01\x00":
        problem = "SCCRP with Protocol Version %r" % m.get(A_PROTOCOL_VERSION).value
    if problem is None and m.u16(A_TUNNEL_ID) == 0:
        problem = "SCCRP with Assigned Tunnel ID 0"
    return problem


def check_zlb(m, our_tid, nr):
    if not m.zlb:
        rc = m.result() if m.type in (STOPCCN, CDN) else None
        return "%s%s, expected a ZLB" % (m.name, " %s/%s %r" % rc if rc else "")
    if (m.header.tunnel_id, m.header.nr) != (our_tid, nr):
        return "ZLB to tunnel %u with Nr %u, expected tunnel %u Nr %u" % (
            m.header.tunnel_id, m.header.nr, our_tid, nr)
    return None


# ---------------------------------------------------------------- network ----

class Target:
    """The daemon's address, fresh sockets towards it, and the shared secret if any."""

    def __init__(self, host, port, secret):
        info = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
        self.family, self.addr = info[0], info[4]
        self.host = self.packed(self.addr)
        self.secret = secret

    def packed(self, addr):
        return socket.inet_pton(self.family, addr[0].split("%")[0])

    def socket(self):
        s = socket.socket(self.family, socket.SOCK_DGRAM)
        s.bind(("::" if self.family == socket.AF_INET6 else "0.0.0.0", 0))
        return s

    def from_target(self, addr):
        """The daemon answers from the address we sent to (IP_PKTINFO in shell_udp.c)."""
        return self.packed(addr) == self.host


def receive(sock, timeout):
    """One datagram (data, address) within timeout seconds, or None."""
    if not select.select([sock], [], [], max(timeout, 0))[0]:
        return None
    return sock.recvfrom(65535)


class Hold:
    """Tunnels we made the daemon create, and when each is gone at the earliest and latest.

    A cleared tunnel stays for one full retransmission cycle (§5.7) and counts against
    max-tunnels until then; one whose SCCRP is never acknowledged is freed when its
    retransmissions run out, a cycle after it was made (engine.c tunnel_timer)."""

    SLACK = 1.5  # the daemon's timers and scheduling

    def __init__(self, hold):
        self.hold = hold
        self.spans = []  # (earliest, latest) release, time.monotonic()

    def add(self, cleared_after, cleared_before):
        """The daemon cleared it (or made it, if it is never closed) within these times."""
        self.spans.append((cleared_after + self.hold, cleared_before + self.hold + self.SLACK))

    def surely_held(self, at):
        return sum(1 for lo, _ in self.spans if lo > at)

    def maybe_held(self, at):
        return sum(1 for _, hi in self.spans if hi > at)

    def free_at(self, room):
        """When at most room of them may still be held (0.0: already)."""
        later = sorted((hi for _, hi in self.spans), reverse=True)
        return later[room] if 0 <= room < len(later) else 0.0


class Run:
    """One run: options, results, the random source and the tunnels held."""

    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.target = Target(args.target, args.port, args.secret)
        self.hold = Hold(args.hold)
        self.existing = args.existing_tunnels
        self.passed = self.failed = 0
        self.used_tids = set()

    def report(self, name, problem, detail):
        if problem:
            self.failed += 1
            print("hostile: %s: FAILED (%s)" % (name, problem), flush=True)
        else:
            self.passed += 1
            print("hostile: %s: ok (%s)" % (name, detail), flush=True)

    def not_run(self, names, why):
        for name in names:
            self.report(name, "not run: %s" % why, "")

    def tid(self):
        """A fresh Assigned Tunnel ID for one of our SCCRQs."""
        while True:
            t = self.rng.randrange(1, 65536)
            if t not in self.used_tids:
                self.used_tids.add(t)
                return t

    def parse(self, data):
        return parse_message(data, self.target.secret)

    def await_message(self, sock, timeout, skip_ns_below=0):
        """(message, address, None) for the next control message from the target, or
        (None, None, why). Retransmissions (Ns below skip_ns_below) are passed over."""
        deadline = time.monotonic() + timeout
        while True:
            got = receive(sock, deadline - time.monotonic())
            if got is None:
                return None, None, "no answer in %.1f s" % timeout
            data, addr = got
            if not self.target.from_target(addr):
                return None, None, "answer from %s, not from the target" % addr[0]
            try:
                m = self.parse(data)
            except ParseError as e:
                return None, None, "unparsable answer (%s): %s" % (e, data[:32].hex())
            if m.zlb or m.header.ns >= skip_ns_below:
                return m, addr, None

    def exchange(self, datagram, timeout=None):
        """A fresh socket, the datagram sent, the first answer: (sock, m, addr, why)."""
        s = self.target.socket()
        s.sendto(datagram, self.target.addr)
        return (s,) + self.await_message(s, timeout or self.args.timeout)

    def linger(self, sock, seconds):
        """Whatever else came after an answer that should have been the only one."""
        got = receive(sock, seconds)
        if got is None:
            return None
        try:
            return "a second answer, %s: state was kept" % self.parse(got[0]).name
        except ParseError:
            return "a second answer, %u unparsable octets" % len(got[0])


# ---------------------------------------------------------------- probes: silence ----

PPP_LCP_ECHO = bytes.fromhex("ff03c021090100080000002a")


def silent_probes(run):
    """(name, datagram): what the daemon must not answer at all."""
    ok = sccrq(run.tid())
    unknown = [run.rng.randrange(1, 65536) for _ in range(6)]
    return [
        # §3.1, §7.1: a malformed header is discarded.
        ("header/empty", b""),
        ("header/1-octet", ok[:1]),
        ("header/5-octets", ok[:5]),
        ("header/11-octets", ok[:11]),
        ("header/length-beyond-datagram", control(ok[CONTROL_HDR_LEN:], length=len(ok) + 100)),
        ("header/length-below-header", control(ok[CONTROL_HDR_LEN:], length=8)),
        ("header/control-without-L", u16(CONTROL & ~HDR_L) + ok[4:]),
        ("header/control-without-S", u16(CONTROL & ~HDR_S) + ok[2:8] + ok[12:]),
        ("header/control-with-O", u16(CONTROL | HDR_O) + ok[2:12] + u16(0) + ok[12:]),
        ("header/control-with-P", u16(CONTROL | HDR_P) + ok[2:]),
        ("header/version-3", u16((CONTROL & ~HDR_VER_MASK) | 3) + ok[2:]),
        ("header/version-1-l2f", u16((CONTROL & ~HDR_VER_MASK) | 1) + ok[2:]),
        # §4.1, §7.1: faults the engine finds before the Assigned Tunnel ID, so a refusal
        # could not be addressed; an Assigned Tunnel ID of 0 addresses nothing (§4.4.3).
        ("avp/bad-length-before-tunnel-id",
         sccrq(run.tid(), before=[avp(A_HOST_NAME, b"xy", length=3)])),
        ("avp/unknown-mandatory-before-tunnel-id",
         sccrq(run.tid(), before=[avp(UNKNOWN_AVP, b"\x00\x01")])),
        ("avp/tunnel-id-zero", message(SCCRQ, [avp_u16(A_TUNNEL_ID, 0)] + sccrq_avps(1)[1:])),
        # §4.4.1: the Message Type is the first AVP, never hidden; an unknown type is
        # ignored (M=0) or clears the tunnel (M=1): there is none to clear yet.
        ("avp/message-type-not-first",
         control(b"".join(sccrq_avps(run.tid())) + avp_u16(A_MESSAGE_TYPE, SCCRQ))),
        ("avp/message-type-hidden",
         control(avp_u16(A_MESSAGE_TYPE, SCCRQ, h=True) + b"".join(sccrq_avps(run.tid())))),
        ("avp/unknown-message-type-m1", message(UNKNOWN_MSG, sccrq_avps(run.tid()))),
        ("avp/unknown-message-type-m0",
         control(avp_u16(A_MESSAGE_TYPE, UNKNOWN_MSG, m=False) + b"".join(sccrq_avps(run.tid())))),
        # §5.8: a first message has Ns 0 (tunnel_accept.c drops others).
        ("sccrq/ns-1", sccrq(run.tid(), ns=1)),
        # engine.c: a tunnel ID we do not have, or 0 for anything but SCCRQ/StopCCN.
        ("unknown/sccrq-to-tunnel", sccrq(run.tid(), tunnel_id=unknown[0])),
        ("unknown/hello", message(HELLO, [], tunnel_id=unknown[1], ns=3, nr=2)),
        ("unknown/icrq", message(ICRQ, [avp_u16(A_SESSION_ID, 77), avp_u32(A_CALL_SERIAL, 1)],
                                 tunnel_id=unknown[2], ns=3, nr=2)),
        ("unknown/stopccn", stopccn(unknown[3], run.tid(), 3, 2)),
        ("unknown/stopccn-to-tunnel-0", stopccn(0, run.tid(), 0, 0)),
        ("unknown/zlb-to-tunnel-0", zlb(0, 0, 0)),
        ("unknown/hello-to-tunnel-0", message(HELLO, [])),
        # §3.1: data messages belong to the kernel's sessions; none of these exist.
        ("data/minimal", data_message(unknown[4], unknown[5], PPP_LCP_ECHO)),
        ("data/with-length", data_message(unknown[4], unknown[5], PPP_LCP_ECHO, length=True)),
        ("data/with-sequence", data_message(unknown[4], unknown[5], PPP_LCP_ECHO, sequence=True)),
        ("data/with-offset", data_message(unknown[4], unknown[5], PPP_LCP_ECHO, length=True,
                                          offset=b"\xa5" * 4)),
        ("data/tunnel-0", data_message(0, 0, PPP_LCP_ECHO, length=True)),
    ]


def run_silent(run):
    """All at once, each from its own port, then one wait: none may be answered."""
    sent = []
    for name, datagram in silent_probes(run):
        s = run.target.socket()
        s.sendto(datagram, run.target.addr)
        sent.append((name, s, len(datagram)))
    time.sleep(run.args.timeout)
    for name, s, n in sent:
        got = receive(s, 0)
        problem = None
        if got is not None:
            try:
                problem = "answered with %s" % run.parse(got[0]).name
            except ParseError:
                problem = "answered with %u unparsable octets" % len(got[0])
        run.report(name, problem, "%u octets, no answer in %.1f s" % (n, run.args.timeout))
        s.close()


# ---------------------------------------------------------------- probes: SCCRQs ----

def close_tunnel(run, sock, addr, our_tid, their_tid, made, ns=1, nr=1, tries=2):
    """Our StopCCN (§6.4) and the ZLB that must acknowledge it (§5.7). made: when the
    tunnel was made (our SCCRQ sent, its answer received). Returns None or the problem."""
    if their_tid is None:
        run.hold.add(*made)
        return "its Assigned Tunnel ID is hidden: pass --secret to close it"
    first = time.monotonic()
    for _ in range(tries):
        sock.sendto(stopccn(their_tid, our_tid, ns, nr), addr)
        m, _, problem = run.await_message(sock, run.args.timeout, skip_ns_below=nr)
        problem = problem or check_zlb(m, our_tid, ns + 1)
        if problem is None:
            run.hold.add(first, time.monotonic())
            return None
    run.hold.add(min(first, made[0]), time.monotonic())
    return "our StopCCN: %s" % problem


def expect_refusals(run, cases, timeout):
    """Sent at once, each from its own port: (name, datagram, our tid, result, error, text
    the message must contain). Each must get a stateless StopCCN and nothing more: a tunnel
    kept for it would resend its StopCCN after a second (§5.8), within the --timeout wait."""
    sent, socks = time.monotonic(), []
    for name, datagram, tid, result, error, contains in cases:
        socks.append(run.target.socket())
        socks[-1].sendto(datagram, run.target.addr)
    answers = []
    for sock, (name, _, tid, result, error, contains) in zip(socks, cases):
        m, addr, problem = run.await_message(sock, max(sent + timeout - time.monotonic(), 0))
        if m is not None:
            problem = check_refusal(m, tid, result, error, contains)
        if m is not None and m.type == SCCRP:  # wrongly accepted: do not leave it behind
            problem += "; " + (close_tunnel(run, sock, addr, tid, m.u16(A_TUNNEL_ID),
                                            (sent, time.monotonic())) or "closed it")
        answers.append((m, problem))
    time.sleep(run.args.timeout)
    for sock, (name, *_), (m, problem) in zip(socks, cases, answers):
        extra = run.linger(sock, 0) if problem is None else None
        rc = m.result() if problem is None else None
        detail = rc and "StopCCN %u/%u %r, nothing after it" % (rc[0], rc[1] or 0, rc[2])
        run.report(name, problem or extra, detail)
        sock.close()


def expect_sccrp(run, name, datagram, tid, timeout=None):
    """An SCCRP; the tunnel is then closed and the close acknowledged."""
    sent = time.monotonic()
    s, m, addr, problem = run.exchange(datagram, timeout)
    if m is not None:
        problem = check_sccrp(m, tid)
    if m is not None and m.type == SCCRP:
        closing = close_tunnel(run, s, addr, tid, m.u16(A_TUNNEL_ID), (sent, time.monotonic()))
        problem = problem or closing
    detail = "SCCRP from tunnel %s, closed, ZLB back" % (m.u16(A_TUNNEL_ID) if m else None)
    run.report(name, problem, detail)
    s.close()


def garbage_sccrq(rng, tid):
    """65,000 octets, Length 65,000: the SCCRQ's AVPs, unknown M=0 AVPs of random octets
    (ignored, §4.1), and last an AVP whose Length runs one octet past the message."""
    body = bytearray(sccrq(tid)[CONTROL_HDR_LEN:])
    room = BIG - CONTROL_HDR_LEN
    while room - len(body) > 1022:
        size = min(1023, room - len(body) - 100)  # leaves 100 to 1022 octets for the last
        body += avp(UNKNOWN_AVP, rng.randbytes(size - AVP_HDR_LEN), m=False)
    left = room - len(body)
    body += avp(UNKNOWN_AVP, rng.randbytes(left - AVP_HDR_LEN), m=False, length=left + 1)
    return control(bytes(body))


def trailing_sccrq(tid):
    """A valid SCCRQ whose Length ends it, at the head of a 65,000-octet datagram of 0xff."""
    m = sccrq(tid)
    return m + b"\xff" * (BIG - len(m))


def replacing(tid, faulty):
    """An SCCRQ whose AVP of the same type as faulty is faulty instead."""
    kind = faulty[4:6]
    return message(SCCRQ, [a for a in sccrq_avps(tid) if a[4:6] != kind] + [faulty])


def refusal_cases(new_tid):
    """(name, datagram, our tid, error, text the message must contain): Result 2 each."""
    cases = []

    def add(name, error, contains, build):
        tid = new_tid()
        cases.append((name, build(tid), tid, error, contains))

    # §4.1, §7.1: an AVP that does not frame: error 2, length wrong. (Vendor Name takes
    # any length, so only the framing is wrong.)
    add("avp/length-below-6", EC_BAD_LENGTH, None,
        lambda t: sccrq(t, extra=[avp(A_VENDOR_NAME, b"xy", length=3)]))
    add("avp/length-zero", EC_BAD_LENGTH, None,
        lambda t: sccrq(t, extra=[avp(A_VENDOR_NAME, b"", length=0)]))
    add("avp/length-past-end", EC_BAD_LENGTH, None,
        lambda t: sccrq(t, extra=[avp(A_VENDOR_NAME, b"xy", length=100)]))
    add("avp/trailing-octets", EC_BAD_LENGTH, None,
        lambda t: sccrq(t, extra=[b"\x80\x00\x00\x00"]))
    add("avp/value-too-short", EC_BAD_LENGTH, None,
        lambda t: replacing(t, avp(A_FRAMING_CAPS, b"\x00\x03")))
    # §4.4.3: Host Name MUST NOT be hidden; §4.3: a Random Vector comes before hidden
    # AVPs (with no secret for us the engine says so instead: error 3 all the same);
    # §5.8: a Receive Window Size of 0 is invalid; §6.1: Host Name is required.
    add("avp/hidden-host-name", EC_BAD_VALUE, None,
        lambda t: replacing(t, avp(A_HOST_NAME, b"hidden", h=True)))
    add("avp/hidden-without-random-vector", EC_BAD_VALUE, None,
        lambda t: replacing(t, avp_u32(A_FRAMING_CAPS, 3, h=True)))
    add("avp/receive-window-zero", EC_BAD_VALUE, None,
        lambda t: sccrq(t, extra=[avp_u16(A_RECEIVE_WINDOW, 0)]))
    add("avp/missing-host-name", EC_BAD_VALUE, "Host Name",
        lambda t: message(SCCRQ, sccrq_avps(t)[:3]))
    # §4.1, §4.2, §4.4.2: error 8, and the message SHOULD name the attribute.
    add("mandatory/unknown-avp", EC_UNKNOWN_M_AVP, "200",
        lambda t: sccrq(t, extra=[avp(UNKNOWN_AVP, b"\x00\x01")]))
    add("mandatory/vendor-avp", EC_UNKNOWN_M_AVP, "vendor 9",
        lambda t: sccrq(t, extra=[avp(1, b"\x00\x01", vendor=VENDOR_CISCO)]))
    add("mandatory/reserved-bit", EC_UNKNOWN_M_AVP, "AVP 6",
        lambda t: sccrq(t, extra=[avp_u16(A_FIRMWARE_REVISION, 1, reserved=0x0400)]))
    return cases


def tolerated_cases(new_tid):
    """(name, datagram, our tid): SCCRQs with oddities RFC 2661 says to ignore."""
    t1, t2 = new_tid(), new_tid()
    odd = sccrq(t2, extra=[avp(A_FIRMWARE_REVISION, b"\x01\x02\x03", m=False),
                           avp(1, b"\x00\x00\x00\x2a", m=False, vendor=VENDOR_CISCO)])
    return [
        # §4.1: an unrecognised AVP with M=0 MUST be ignored.
        ("tolerated/unknown-optional-avp",
         sccrq(t1, extra=[avp(UNKNOWN_AVP, b"\x00\x01", m=False)]), t1),
        # §3.1: reserved header bits are ignored; §7.1: a malformed M=0 AVP is ignored;
        # §4.1: a vendor AVP with M=0 too.
        ("tolerated/reserved-header-bits-and-odd-optional-avps",
         u16(CONTROL | HDR_RESERVED) + odd[2:], t2),
    ]


def run_sccrqs(run):
    big = max(run.args.timeout, 3.0)  # 45 fragments to reassemble on a slow VM
    tid = run.tid()
    cases = [("oversize/garbage", garbage_sccrq(run.rng, tid), tid, RC_GENERAL, EC_BAD_LENGTH,
              None)]
    cases += [(name, d, tid, RC_GENERAL, error, text)
              for name, d, tid, error, text in refusal_cases(run.tid)]
    # §4.4.2: Result 5 carries the highest version supported (1.0), refused before any
    # tunnel exists like the others.
    tid = run.tid()
    cases.append(("tunnel/version-2", sccrq(tid, version=b"\x02\x00"), tid, RC_BAD_VERSION, 0x0100,
                  None))
    expect_refusals(run, cases, big)
    tid = run.tid()
    expect_sccrp(run, "oversize/trailing", trailing_sccrq(tid), tid, timeout=big)
    for name, datagram, tid in tolerated_cases(run.tid):
        expect_sccrp(run, name, datagram, tid)


# ---------------------------------------------------------------- probes: in a tunnel ----

class Tunnel:
    """Our end of a tunnel with the daemon: its socket and address, IDs, Ns and Nr."""

    def __init__(self, run, sock, addr, our_tid, their_tid):
        self.run, self.sock, self.addr = run, sock, addr
        self.our_tid, self.their_tid = our_tid, their_tid
        self.ns = self.nr = 1  # after SCCRQ (our Ns 0) and SCCRP (theirs)

    def send(self, msg_type, avps, session_id=0, raw=None):
        """A message in sequence (§5.8); raw replaces the message body after the header."""
        body = raw if raw is not None else (avp_u16(A_MESSAGE_TYPE, msg_type) + b"".join(avps))
        self.sock.sendto(control(body, self.their_tid, session_id, self.ns, self.nr), self.addr)
        self.ns += 1
        return time.monotonic()

    def answer(self):
        """(message, None) for the next one not a retransmission, or (None, why)."""
        m, _, problem = self.run.await_message(self.sock, self.run.args.timeout, self.nr)
        return m, problem

    def take(self, m):
        """A message of theirs, in sequence, acknowledged with a ZLB (§5.8)."""
        if m is not None and not m.zlb and m.header.ns == self.nr:
            self.nr += 1
            self.sock.sendto(zlb(self.their_tid, self.ns, self.nr), self.addr)


def establish(run):
    """SCCRQ, SCCRP, SCCCN (with the Challenge Response if challenged, §5.1.1), ZLB.
    Returns (tunnel, None) or (tunnel or None, why)."""
    tid = run.tid()
    sent = time.monotonic()
    s, m, addr, problem = run.exchange(sccrq(tid))
    problem = problem or check_sccrp(m, tid)
    if problem:
        if m is not None and m.type == SCCRP:
            close_tunnel(run, s, addr, tid, m.u16(A_TUNNEL_ID), (sent, time.monotonic()))
        return None, problem
    tun = Tunnel(run, s, addr, tid, m.u16(A_TUNNEL_ID))
    if tun.their_tid is None:
        run.hold.add(sent, time.monotonic())
        return None, "the SCCRP's Assigned Tunnel ID is hidden: pass --secret"
    avps = []
    challenge = m.get(A_CHALLENGE)
    if challenge is not None and (run.target.secret is None or not challenge.readable):
        return tun, "the LNS challenges (§5.1.1): pass --secret"
    if challenge is not None:
        avps.append(avp(A_CHALLENGE_RESPONSE, chap_response(SCCCN, run.target.secret,
                                                            challenge.value)))
    tun.send(SCCCN, avps)
    m, problem = tun.answer()
    problem = problem or check_zlb(m, tid, tun.ns)
    tun.take(m)
    return tun, problem


def step_call_refused(tun, extra, error, contains, serial=True):
    """An ICRQ (§6.6) refused with CDN 2/error to its Assigned Session ID: the session is
    cleared before it exists (§4.1 session scope, §7.1)."""
    sid = tun.run.rng.randrange(1, 65536)
    avps = [avp_u16(A_SESSION_ID, sid)] + ([avp_u32(A_CALL_SERIAL, 1)] if serial else [])
    tun.send(ICRQ, avps + extra)
    m, problem = tun.answer()
    if m is not None:
        problem = (check_header(m, tun.our_tid, tun.nr, tun.ns, session_id=sid) or
                   check_result(m, CDN, RC_GENERAL, error, contains) or
                   (None if m.get(A_SESSION_ID) else "CDN without Assigned Session ID (§6.12)"))
    tun.take(m)
    return problem, "CDN 2/%u to session %u" % (error, sid)


def step_only_acked(tun, msg_type, avps, session_id=0, raw=None):
    """A message the daemon must take in sequence and acknowledge, nothing more (§5.8)."""
    tun.send(msg_type, avps, session_id, raw)
    m, problem = tun.answer()
    problem = problem or check_zlb(m, tun.our_tid, tun.ns)
    tun.take(m)
    return problem, "ZLB with Nr %u, nothing else" % tun.ns


def step_data_silent(tun):
    sid = tun.run.rng.randrange(1, 65536)
    tun.sock.sendto(data_message(tun.their_tid, sid, PPP_LCP_ECHO, length=True), tun.addr)
    got = receive(tun.sock, tun.run.args.timeout)
    problem = None if got is None else "answered with %u octets" % len(got[0])
    return problem, "to session %u, no answer in %.1f s" % (sid, tun.run.args.timeout)


def step_tunnel_torn_down(tun):
    """A HELLO (tunnel scope) with an unknown M=1 AVP: StopCCN 2/8 (§4.1), acknowledged."""
    sent = tun.send(HELLO, [avp(UNKNOWN_AVP, b"\x00\x01")])
    m, problem = tun.answer()
    if m is not None:
        problem = (check_header(m, tun.our_tid, tun.nr, tun.ns) or
                   check_result(m, STOPCCN, RC_GENERAL, EC_UNKNOWN_M_AVP, "200"))
    if problem is None and m.u16(A_TUNNEL_ID) not in (tun.their_tid, None):
        problem = "StopCCN names tunnel %u, not %u" % (m.u16(A_TUNNEL_ID), tun.their_tid)
    if m is not None and m.type == STOPCCN:
        tun.run.hold.add(sent, time.monotonic())
        tun.take(m)
        tun.their_tid = None  # gone: nothing left to close
    return problem, "StopCCN 2/8 naming attribute 200, acknowledged"


def run_in_tunnel(run):
    icrq = [avp_u16(A_SESSION_ID, 4242), avp_u32(A_CALL_SERIAL, 1)]
    iccn = [avp_u32(A_TX_CONNECT_SPEED, 1000000), avp_u32(A_FRAMING_TYPE, 1)]
    steps = [
        ("in-tunnel/icrq-unknown-mandatory-avp",
         lambda t: step_call_refused(t, [avp(UNKNOWN_AVP, b"\x00\x01")], EC_UNKNOWN_M_AVP, "200")),
        ("in-tunnel/icrq-without-call-serial",
         lambda t: step_call_refused(t, [], EC_BAD_VALUE, "Call Serial Number", serial=False)),
        # The fault comes before the Assigned Session ID: no session to address.
        ("in-tunnel/icrq-fault-before-session-id",
         lambda t: step_only_acked(t, ICRQ, [avp(UNKNOWN_AVP, b"\x00\x01")] + icrq)),
        # session_input.c: a call message for a session that is gone is ignored (both
        # ends may clear a call at once); the transport still acknowledges it (§5.8).
        ("in-tunnel/iccn-unknown-session",
         lambda t: step_only_acked(t, ICCN, iccn, session_id=run.rng.randrange(1, 65536))),
        # §4.4.1: an unknown message type with M=0 may be ignored.
        ("in-tunnel/unknown-message-type-m0",
         lambda t: step_only_acked(t, None, [], raw=avp_u16(A_MESSAGE_TYPE, UNKNOWN_MSG, m=False))),
        ("in-tunnel/data-unknown-session", step_data_silent),
        ("in-tunnel/hello-unknown-mandatory-avp", step_tunnel_torn_down),
    ]
    tun, problem = establish(run)
    run.report("in-tunnel/establish", problem, "SCCRQ, SCCRP, SCCCN, ZLB")
    for i, (name, step) in enumerate(steps):
        if problem is None:
            problem, detail = step(tun)
            run.report(name, problem, detail)
        else:
            run.not_run([name for name, _ in steps[i:]], "the tunnel is not in a known state")
            break
    if tun is not None and tun.their_tid is not None:
        closing = close_tunnel(run, tun.sock, tun.addr, tun.our_tid, tun.their_tid,
                               (time.monotonic(), time.monotonic()), tun.ns, tun.nr)
        if closing:
            print("hostile: note: in-tunnel: %s" % closing, flush=True)
    if tun is not None:
        tun.sock.close()


# ---------------------------------------------------------------- probes: flood ----

TID_OFFSET = CONTROL_HDR_LEN + 8 + AVP_HDR_LEN  # the Assigned Tunnel ID value in sccrq()


def flood_datagram(template, tid):
    return template[:TID_OFFSET] + u16(tid) + template[TID_OFFSET + 2:]


@dataclasses.dataclass
class Accepted:
    """A flood SCCRQ the daemon took: its tunnel, and our StopCCNs closing it."""
    their_tid: int  # None: hidden from us
    addr: tuple
    made: float     # when its SCCRP came
    stops: int = 0  # StopCCNs sent
    first_stop: float = 0.0


class Flood:
    """Valid SCCRQs from many ports; every answer sorted and checked as it comes, every
    SCCRP closed at once (which also stops its retransmissions)."""

    MAX_PROBLEMS = 4  # kinds shown; all are counted

    def __init__(self, run):
        self.run = run
        n = run.args.flood
        self.socks = [run.target.socket() for _ in range(min(run.args.flood_sockets, n))]
        for s in self.socks:
            s.setblocking(False)
        self.port_of_sock = {s: i for i, s in enumerate(self.socks)}
        free = sorted(set(range(1, 65536)) - run.used_tids)
        self.tids = run.rng.sample(free, n)
        run.used_tids.update(self.tids)
        self.port_of = {tid: i % len(self.socks) for i, tid in enumerate(self.tids)}
        self.template = sccrq(0xFFFF)
        self.accepted = {}  # our tid: Accepted
        self.acked = {}     # our tid: when our StopCCN was acknowledged
        self.refused = {}   # (result, error): count
        self.answered = set()
        self.repeats = 0    # SCCRPs retransmitted before our StopCCN arrived
        self.problems = {}  # what was wrong: how often
        self.last_rx = time.monotonic()

    def problem(self, text):
        self.problems[text] = self.problems.get(text, 0) + 1

    def problem_summary(self):
        kinds = sorted(self.problems.items(), key=lambda kv: -kv[1])
        shown = ["%u x %s" % (n, text) for text, n in kinds[:self.MAX_PROBLEMS]]
        more = len(kinds) - len(shown)
        return "wrong answers: " + ", ".join(shown) + (" and %u more kinds" % more if more else "")

    def send_all(self):
        """Returns the seconds the sending took. Datagrams are made beforehand and answers
        read only when a socket's buffer is full (they wait in 200 receive buffers), so
        that the rate is the generator's sending alone."""
        rate, target = self.run.args.flood_rate, self.run.target.addr
        sends = [(self.socks[self.port_of[tid]], flood_datagram(self.template, tid))
                 for tid in self.tids]
        start = time.monotonic()
        for i, (sock, datagram) in enumerate(sends):
            if rate:
                ahead = start + i / rate - time.monotonic()
                if ahead > 0.002:
                    time.sleep(ahead)
            while True:
                try:
                    sock.sendto(datagram, target)
                    break
                except BlockingIOError:
                    self.drain(0.001)
        return time.monotonic() - start

    def drain(self, timeout):
        """Reads whatever has come."""
        ready = select.select(self.socks, [], [], timeout)[0]
        for sock in ready:
            while True:
                try:
                    data, addr = sock.recvfrom(65535)
                except BlockingIOError:
                    break
                self.last_rx = time.monotonic()
                self.handle(self.port_of_sock[sock], data, addr)

    def handle(self, port, data, addr):
        if not self.run.target.from_target(addr):
            return self.problem("answer from %s" % addr[0])
        try:
            m = self.run.parse(data)
        except ParseError as e:
            return self.problem("unparsable answer: %s" % e)
        tid = m.header.tunnel_id
        if self.port_of.get(tid) != port:
            return self.problem("%s to tunnel %u, which this port did not assign" % (m.name, tid))
        if m.zlb:
            return self.zlb(tid, m)
        if m.type == SCCRP:
            return self.sccrp(tid, m, addr)
        if m.type != STOPCCN or tid in self.accepted or tid in self.answered:
            return self.problem("%s for tunnel %u, after %s" % (
                m.name, tid, "SCCRP" if tid in self.accepted else "a StopCCN"
                if tid in self.answered else "nothing"))
        self.answered.add(tid)
        rc = m.result() or (None, None, "")
        key = (rc[0], rc[1] or 0)
        self.refused[key] = self.refused.get(key, 0) + 1
        problem = check_refusal(m, tid, *self.run.args.refusal)
        if problem:
            self.problem(problem)

    def zlb(self, tid, m):
        if tid not in self.accepted or m.header.nr != 2:
            return self.problem("ZLB to tunnel %u with Nr %u" % (tid, m.header.nr))
        self.acked.setdefault(tid, time.monotonic())

    def sccrp(self, tid, m, addr):
        if tid in self.accepted:
            self.repeats += 1
            return None
        if tid in self.answered:
            self.problem("SCCRP for tunnel %u after refusing it" % tid)
        problem = check_sccrp(m, tid)
        if problem:
            self.problem(problem)
        self.accepted[tid] = Accepted(m.u16(A_TUNNEL_ID), addr, time.monotonic())
        self.close(tid)
        return None

    def close(self, tid):
        """Our StopCCN, (re)sent; a hidden Assigned Tunnel ID cannot be closed."""
        a = self.accepted[tid]
        if a.their_tid is None:
            return
        self.socks[self.port_of[tid]].sendto(stopccn(a.their_tid, tid, 1, 1), a.addr)
        a.stops += 1
        a.first_stop = a.first_stop or time.monotonic()

    def unacked(self):
        return [t for t, a in self.accepted.items()
                if a.their_tid is not None and t not in self.acked]

    def collect(self):
        """Until quiet for --timeout, and every close acknowledged or given up."""
        hard_stop = time.monotonic() + 10 + len(self.tids) / 200
        while time.monotonic() < hard_stop:
            self.drain(0.1)
            now = time.monotonic()
            for tid in self.unacked():
                a = self.accepted[tid]
                if a.stops < 3 and now - a.first_stop > a.stops * self.run.args.timeout:
                    self.close(tid)
            # Three timeouts each to be acknowledged, our StopCCN resent after one and two.
            waiting = [t for t in self.unacked()
                       if now - self.accepted[t].first_stop < 3 * self.run.args.timeout]
            if now - self.last_rx >= self.run.args.timeout and not waiting:
                break

    def record_holds(self):
        for tid, a in self.accepted.items():
            if tid in self.acked:
                self.run.hold.add(a.first_stop, self.acked[tid])
            else:  # maybe never received: then freed a cycle after it was made
                self.run.hold.add(a.made - self.run.args.timeout, time.monotonic())

    def close_sockets(self):
        for s in self.socks:
            s.close()


def run_flood(run):
    if run.args.flood <= 0:
        return
    held_before = run.hold.maybe_held(time.monotonic())
    f = Flood(run)
    took = f.send_all()
    f.collect()
    # Ours from earlier probes still held when the flood was over (the flood's own count
    # in "accepted"): fewer than at any admission during it, so the bound is safe.
    held_after = run.hold.surely_held(time.monotonic())
    f.record_holds()
    f.close_sockets()
    n, limit, want = len(f.tids), run.args.expect_max_tunnels, tuple(run.args.refusal)
    accepted, right = len(f.accepted), f.refused.get(want, 0)
    others = ", ".join("%u %s/%s" % (c, k[0], k[1]) for k, c in f.refused.items() if k != want)
    detail = "%u SCCRQs from %u ports in %.2f s (%.0f/s); %u SCCRP, %u StopCCN %u/%u%s, " \
             "%u unanswered" % (n, len(f.socks), took, n / max(took, 1e-6), accepted, right,
                                want[0], want[1], " (and %s)" % others if others else "",
                                n - accepted - len(f.answered))
    problems = [f.problem_summary()] if f.problems else []
    if n / max(took, 1e-6) < run.args.flood_min_rate:
        problems.append("sent %.0f SCCRQs a second, below --flood-min-rate %.0f" % (
            n / max(took, 1e-6), run.args.flood_min_rate))
    if not accepted and not f.answered:
        problems.append("not one of %u SCCRQs answered" % n)
    if limit:
        bound = max(limit - run.existing - held_after, 0)
        detail += "; at most %u SCCRP allowed (max-tunnels %u - %u existing - %u of ours held)" % (
            bound, limit, run.existing, held_after)
        if accepted > bound:
            problems.append("%u SCCRPs, over the limit of %u" % (accepted, bound))
        if n > limit and not right:
            problems.append("no StopCCN %u/%u although %u SCCRQs > max-tunnels %u" % (
                want + (n, limit)))
        if right:  # the daemon was full: a floor on the tunnels we do not know of
            run.existing = max(run.existing, limit - held_before - accepted)
    unacked = f.unacked()
    if unacked:
        problems.append("%u of our StopCCNs never acknowledged (§5.7), e.g. for tunnel %u" % (
            len(unacked), unacked[0]))
    hidden = sum(1 for a in f.accepted.values() if a.their_tid is None)
    if hidden:
        problems.append("%u SCCRPs with a hidden Assigned Tunnel ID: pass --secret" % hidden)
    if accepted:
        detail += "; %u closed, ZLB back (%u SCCRP retransmissions seen)" % (len(f.acked),
                                                                            f.repeats)
    run.report("flood", "; ".join(problems), detail)


# ---------------------------------------------------------------- final ----

def run_final(run):
    """The daemon still answers. With max-tunnels known, first wait until our closed
    tunnels have left room for one more (each stays a full retransmission cycle, §5.7)."""
    limit, tid, name = run.args.expect_max_tunnels, run.tid(), "final/sccrq-answered"
    if limit and run.existing >= limit:  # full of tunnels that are not ours
        expect_refusals(run, [(name, sccrq(tid), tid) + tuple(run.args.refusal) + (None,)],
                        run.args.timeout)
        return
    if limit:
        wait = run.hold.free_at(limit - run.existing - 1) + 0.1 - time.monotonic()
        if wait > 0:
            wait = min(wait, 4 * run.args.hold)
            print("hostile: note: waiting %.0f s for our closed tunnels to be freed" % wait,
                  flush=True)
            time.sleep(wait)
    expect_sccrp(run, name, sccrq(tid), tid)


# ---------------------------------------------------------------- self-test ----

# From tests/unit/vectors.inc (tests/vectors/gen_vectors.py, written apart from this file):
# an SCCRQ with Framing Capabilities and Assigned Tunnel ID hidden, secret below.
HIDDEN_VECTOR_SECRET = b"l2tpkd-shared-secret"
HIDDEN_VECTOR = bytes.fromhex(
    "c802005e000000000005000380080000000000018016000000240f1e2d3c4b5a69788796a5b4c3d2e1f0"
    "8008000000020100c00c0000000303baf95d656f8016000000076c6163312e6578616d706c652e6e6574"
    "c00a0000000905db1dfd")
XL2TPD_SECRET = b"hidden-s3cret"  # scripts/capture-xl2tpd


def pcap_udp_payloads(path, port=1701):
    """UDP payloads to or from port in a pcap file (Ethernet or Linux cooked, IPv4)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    assert magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4",
                     b"\xa1\xb2\x3c\x4d"), "%s: not a pcap file" % path
    link = struct.unpack(endian + "I", data[20:24])[0]
    l2 = {1: (14, 12), 113: (16, 14), 276: (20, 0)}  # header length, EtherType offset
    assert link in l2, "%s: link type %u" % (path, link)
    pos, out = 24, []
    while pos + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[pos + 8:pos + 12])[0]
        frame, pos = data[pos + 16:pos + 16 + incl], pos + 16 + incl
        hlen, etype = l2[link]
        ip = frame[hlen:]
        if frame[etype:etype + 2] != b"\x08\x00" or len(ip) < 20 or ip[9] != 17:
            continue
        udp = ip[(ip[0] & 0x0F) * 4:]
        sport, dport, ulen = struct.unpack("!HHH", udp[:6])
        if port in (sport, dport):
            out.append(udp[8:ulen])
    return out


def test_sccrq_round_trip():
    m = parse_message(sccrq(0x1234, extra=[avp(UNKNOWN_AVP, b"ab", m=False)], ns=0))
    h = m.header
    assert (h.flags, h.length, h.tunnel_id, h.session_id, h.ns, h.nr) == (
        CONTROL, len(sccrq(0x1234)) + 8, 0, 0, 0, 0)
    assert m.type == SCCRQ and m.name == "SCCRQ" and m.avps[0].m
    assert m.u16(A_TUNNEL_ID) == 0x1234 and m.get(A_HOST_NAME).value == b"hostile-lac"
    assert m.get(A_PROTOCOL_VERSION).value == b"\x01\x00"
    assert [a.m for a in m.avps] == [True] * 5 + [False]
    assert parse_message(flood_datagram(sccrq(0xFFFF), 0xBEEF)).u16(A_TUNNEL_ID) == 0xBEEF
    s = parse_message(stopccn(0x0102, 0x0304, 7, 9))
    assert (s.header.tunnel_id, s.header.ns, s.header.nr, s.type) == (0x0102, 7, 9, STOPCCN)
    assert s.u16(A_TUNNEL_ID) == 0x0304 and s.result() == (RC_CLEAR, None, "")
    z = parse_message(zlb(5, 6, 7))
    assert z.zlb and z.type is None and (z.header.length, z.header.ns, z.header.nr) == (12, 6, 7)


def test_header_rules():
    good = sccrq(1)
    bad = [b"", good[:1], good[:5], good[:11], good[:2] + u16(len(good) + 1) + good[4:],
           good[:2] + u16(8) + good[4:], u16(CONTROL & ~HDR_L) + good[4:],
           u16((CONTROL & ~HDR_VER_MASK) | 3) + good[2:],
           u16((CONTROL & ~HDR_VER_MASK) | 1) + good[2:]]
    for b in bad:
        try:
            parse_header(b)
        except ParseError:
            continue
        raise AssertionError("header accepted: %s" % b.hex())
    assert parse_header(good + b"\xff" * 10).length == len(good)
    for kw in ({}, {"length": True}, {"sequence": True}, {"length": True, "offset": b"xyz"}):
        d = data_message(0x0A0B, 0x0C0D, PPP_LCP_ECHO, **kw)
        h = parse_header(d)
        assert (h.control, h.tunnel_id, h.session_id) == (False, 0x0A0B, 0x0C0D), kw
        assert d[h.payload:] == PPP_LCP_ECHO and h.length == len(d), kw


def test_hiding():
    rv = bytes(range(16))
    for value in (b"", b"ab", bytes(range(40))):
        hidden = hide(A_HOST_NAME, value, b"s3", rv, pad=b"pad")
        assert unhide(A_HOST_NAME, hidden, b"s3", rv) == value
    m = parse_message(HIDDEN_VECTOR, HIDDEN_VECTOR_SECRET)
    assert m.get(A_TUNNEL_ID).h and m.u16(A_TUNNEL_ID) == 0xDB05
    assert m.get(A_FRAMING_CAPS).value == u32(3)
    assert (m.header.ns, m.header.nr) == (5, 3)
    blind = parse_message(HIDDEN_VECTOR)
    assert blind.u16(A_TUNNEL_ID) is None and not blind.get(A_TUNNEL_ID).readable
    try:  # a wrong secret garbles the value, and most often its length field too
        wrong = parse_message(HIDDEN_VECTOR, b"wrong secret").u16(A_TUNNEL_ID)
    except ParseError:
        wrong = None
    assert wrong != 0xDB05


def test_xl2tpd_capture(vectors):
    """Messages from another implementation: every one parses, and the fields agree."""
    payloads = pcap_udp_payloads(os.path.join(vectors, "vectors", "xl2tpd.pcap"))
    msgs = [parse_message(p, XL2TPD_SECRET) for p in payloads]
    assert len(msgs) >= 10, "%u messages" % len(msgs)
    types = {m.type for m in msgs}
    for t in (SCCRQ, SCCRP, SCCCN, ICRQ, ICRP, ICCN, CDN, HELLO, STOPCCN, None):
        assert t in types, "no %s in the capture" % MSG_NAMES.get(t, "ZLB")
    first = {}
    for m in msgs:
        first.setdefault(m.type, m)
    assert first[SCCRQ].get(A_HOST_NAME).value == b"lac-xl2tpd"
    assert first[SCCRP].get(A_HOST_NAME).value == b"lns-xl2tpd"
    assert first[STOPCCN].result()[2] == "Goodbye!"
    assert first[CDN].result()[1] is not None
    assert first[SCCRP].header.tunnel_id == first[SCCRQ].u16(A_TUNNEL_ID)
    rq_challenge = first[SCCRQ].get(A_CHALLENGE).value
    rp_challenge = first[SCCRP].get(A_CHALLENGE).value
    assert first[SCCRP].get(A_CHALLENGE_RESPONSE).value == chap_response(
        SCCRP, XL2TPD_SECRET, rq_challenge)
    assert first[SCCCN].get(A_CHALLENGE_RESPONSE).value == chap_response(
        SCCCN, XL2TPD_SECRET, rp_challenge)
    assert first[SCCCN].get(A_CHALLENGE_RESPONSE).value != chap_response(
        SCCCN, b"not-the-secret", rp_challenge)


def test_probe_datagrams():
    """Each probe is the datagram its name says: the engine reads its Assigned Tunnel ID
    before the fault exactly when a refusal is expected."""
    rng = random.Random(7)
    counter = iter(range(100, 200))

    def new_tid():
        return next(counter)

    for name, d, tid, error, _ in refusal_cases(new_tid):
        walked, left = walk_avps(d)
        assert [w[:2] for w in walked[:2]] == [(0, A_MESSAGE_TYPE), (0, A_TUNNEL_ID)], name
        assert struct.unpack("!H", d[TID_OFFSET:TID_OFFSET + 2])[0] == tid, name
        # The framing faults leave octets no AVP takes; the others frame to the end.
        framing = error == EC_BAD_LENGTH and name != "avp/value-too-short"
        assert (left > 0) == framing, name
    (_, _, t1), (_, reserved, t2) = tolerated_cases(new_tid)
    assert parse_message(reserved).header.flags & HDR_RESERVED == HDR_RESERVED
    assert parse_message(reserved).u16(A_TUNNEL_ID) == t2 and t1 != t2
    g = garbage_sccrq(rng, 5)
    walked, left = walk_avps(g)
    assert len(g) == BIG and struct.unpack("!H", g[2:4])[0] == BIG
    assert [w[:2] for w in walked[:2]] == [(0, A_MESSAGE_TYPE), (0, A_TUNNEL_ID)]
    assert len(walked) > 60 and 100 <= left <= 1022
    assert struct.unpack("!H", g[-left:][:2])[0] & AVP_LEN_MASK == left + 1
    t = trailing_sccrq(6)
    assert len(t) == BIG and parse_message(t).u16(A_TUNNEL_ID) == 6
    silent = dict(silent_probes(types.SimpleNamespace(tid=new_tid, rng=rng)))
    walked, left = walk_avps(silent["avp/bad-length-before-tunnel-id"])
    assert len(walked) == 1 and left > 0  # the Message Type, then nothing frames
    walked, left = walk_avps(silent["avp/unknown-mandatory-before-tunnel-id"])
    assert [w[:2] for w in walked[1:3]] == [(0, UNKNOWN_AVP), (0, A_TUNNEL_ID)] and left == 0
    assert silent["header/empty"] == b"" and len(silent["header/11-octets"]) == 11
    assert parse_message(silent["avp/tunnel-id-zero"]).u16(A_TUNNEL_ID) == 0
    assert parse_message(silent["sccrq/ns-1"]).header.ns == 1


def test_checks_can_fail():
    """Every reply check accepts the right answer and rejects each kind of wrong one."""
    def refusal(tid=1234, nr=1, rc=u16(2) + u16(4) + b"limit", avps=None, rc_m=True):
        return parse_message(message(STOPCCN, avps if avps is not None else [
            avp_u16(A_TUNNEL_ID, 99), avp(A_RESULT_CODE, rc, m=rc_m)], tunnel_id=tid, nr=nr))

    assert check_refusal(refusal(), 1234, 2, 4, "limit") is None
    for bad in (refusal(tid=1235), refusal(nr=2), refusal(rc=u16(2) + u16(8)),
                refusal(rc=u16(2)), refusal(rc_m=False), refusal(avps=[avp_u16(A_RESULT_CODE, 2)]),
                refusal(avps=[avp_u16(A_TUNNEL_ID, 0), avp(A_RESULT_CODE, u16(2) + u16(4))])):
        assert check_refusal(bad, 1234, 2, 4) is not None
    assert check_refusal(refusal(), 1234, 2, 4, "200") is not None

    def reply(version=b"\x01\x00", tid=77, host=True):
        avps = [avp_u16(A_TUNNEL_ID, tid), avp(A_PROTOCOL_VERSION, version),
                avp_u32(A_FRAMING_CAPS, 3)] + ([avp(A_HOST_NAME, b"lns")] if host else [])
        return parse_message(message(SCCRP, avps, tunnel_id=1234, nr=1))

    assert check_sccrp(reply(), 1234) is None
    for bad in (reply(version=b"\x02\x00"), reply(tid=0), reply(host=False), refusal()):
        assert check_sccrp(bad, 1234) is not None
    assert check_sccrp(reply(), 1235) is not None
    assert check_zlb(parse_message(zlb(1234, 1, 2)), 1234, 2) is None
    assert check_zlb(parse_message(zlb(1234, 1, 3)), 1234, 2) is not None
    assert check_zlb(refusal(), 1234, 2) is not None
    cdn = parse_message(message(CDN, [avp(A_RESULT_CODE, u16(2) + u16(8) + b"AVP 200"),
                                      avp_u16(A_SESSION_ID, 3)], tunnel_id=9, session_id=5))
    assert check_header(cdn, 9, 0, 0, session_id=5) is None
    assert check_header(cdn, 9, 0, 0, session_id=6) is not None
    assert check_result(cdn, CDN, 2, 8, "200") is None
    assert check_result(cdn, STOPCCN, 2, 8) is not None


def test_hold_arithmetic():
    h = Hold(31)
    now = time.monotonic()
    h.add(now, now + 1)
    h.add(now + 10, now + 11)
    assert h.surely_held(now + 30) == 2 and h.surely_held(now + 35) == 1
    assert h.maybe_held(now + 33.4) == 2 and h.maybe_held(now + 33.6) == 1
    assert h.free_at(1) == now + 1 + 31 + Hold.SLACK and h.free_at(0) == now + 11 + 31 + Hold.SLACK
    assert h.free_at(2) == 0.0


def self_test(vectors):
    tests = [test_sccrq_round_trip, test_header_rules, test_hiding, test_probe_datagrams,
             test_checks_can_fail, test_hold_arithmetic, lambda: test_xl2tpd_capture(vectors)]
    names = [t.__name__ for t in tests[:-1]] + ["test_xl2tpd_capture"]
    failed = 0
    for name, test in zip(names, tests):
        try:
            test()
            print("hostile: self-test %s: ok" % name)
        except Exception as e:  # a crash is a failure to report like any other
            failed += 1
            print("hostile: self-test %s: FAILED (%s: %s)" % (name, type(e).__name__, e))
    print("hostile: %u passed, %u failed" % (len(tests) - failed, failed))
    return 1 if failed else 0


# ---------------------------------------------------------------- main ----

def refusal_code(text):
    try:
        result, error = (int(x, 0) for x in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError("RESULT:ERROR, e.g. 2:4") from None
    return result, error


def parse_args(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="The module docstring lists every probe and its answer.")
    p.add_argument("--target", help="the daemon's address")
    p.add_argument("--port", type=int, default=1701)
    p.add_argument("--flood", type=int, default=2000, metavar="N", help="SCCRQs (0: none)")
    p.add_argument("--flood-rate", type=float, default=0, metavar="R",
                   help="SCCRQs per second (0: as fast as possible)")
    p.add_argument("--flood-sockets", type=int, default=200, metavar="P", help="source ports")
    p.add_argument("--flood-min-rate", type=float, default=0, metavar="R",
                   help="fail the flood if it was sent slower than R SCCRQs a second")
    p.add_argument("--seed", type=int, help="random seed (default: random, printed)")
    p.add_argument("--expect-max-tunnels", type=int, default=0, metavar="M",
                   help="the daemon's max-tunnels (0: unknown or none)")
    p.add_argument("--existing-tunnels", type=int, default=0, metavar="K",
                   help="tunnels the daemon has besides ours (the live sessions' tunnel)")
    p.add_argument("--refusal", type=refusal_code, default=(RC_GENERAL, EC_NO_RESOURCES),
                   metavar="R:E", help="StopCCN code for a tunnel over the limit (2:4)")
    p.add_argument("--secret", help="the tunnel secret, if the daemon has one for us")
    p.add_argument("--timeout", type=float, default=1.5, help="seconds to wait for an answer")
    p.add_argument("--hold", type=float, default=31.0,
                   help="seconds a closed tunnel stays (the full retransmission cycle)")
    p.add_argument("--vectors", default=os.path.dirname(here), metavar="DIR",
                   help="the tests/ directory, for --self-test")
    p.add_argument("--self-test", action="store_true", help="check this script, no network")
    args = p.parse_args(argv)
    if not args.self_test and not args.target:
        p.error("--target is required (or --self-test)")
    if not 0 < args.port < 65536 or not 0 <= args.flood <= 50000 or args.timeout <= 0:
        p.error("--port 1-65535, --flood 0-50000, --timeout above 0")
    if not 1 <= args.flood_sockets <= 800 or min(args.flood_rate, args.flood_min_rate, args.hold) < 0:
        p.error("--flood-sockets 1-800 (select() limit); --flood-rate, --flood-min-rate and "
                "--hold at least 0")
    if args.expect_max_tunnels < 0 or args.existing_tunnels < 0:
        p.error("--expect-max-tunnels and --existing-tunnels at least 0")
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(4), "big")
    args.secret = args.secret.encode() if args.secret is not None else None
    return args


def main(argv):
    args = parse_args(argv)
    if args.self_test:
        return self_test(args.vectors)
    try:
        run = Run(args)
    except (OSError, ValueError) as e:
        print("hostile: %s: %s" % (args.target, e), file=sys.stderr)
        return 2
    print("hostile: target %s port %u, seed %u" % (args.target, args.port, args.seed), flush=True)
    for phase in (run_silent, run_sccrqs, run_in_tunnel, run_flood, run_final):
        phase(run)
    print("hostile: %u passed, %u failed" % (run.passed, run.failed), flush=True)
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
