#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the seed corpus of tests/fuzz/fuzz_engine: one program per scenario, named after
what it reaches, so the fuzzer starts from every path worth mutating instead of finding each
again. The opcodes and operand layouts mirror tests/fuzz/engine_program.c and
tests/fuzz/engine_hosts.c; the first octet is the configuration (CFG_* in fuzz_engine.h).

Deterministic: the same files every run. Other files in OUT_DIR are left alone, so inputs the
fuzzer found can be kept beside the seeds.

usage: tests/fuzz/gen_engine_seeds.py [OUT_DIR]   (default: tests/fuzz/corpus/engine)
"""
import os
import sys

# Opcodes (enum op).
(TICK, TICK_DEADLINE, OPEN, CALL, CLOSE_SESSION, CLOSE_TUNNEL, PPPD_EXIT, KERNEL, PEER_OPEN,
 PEER_CALL, PEER_CLOSE, LINK, RUN, CRAFT, RAW, DEFER, GROUP_CALL, DRAIN, CLEAR_BUSY, RESTART) = range(20)

# Groups of OP_GROUP_CALL (bits 0-1; bits 2-7 are the call information) and OP_DRAIN's bits.
GROUP_ALL, GROUP_PEER, GROUP_NONE = 0, 1, 2
DRAIN_EUT_ON, DRAIN_PEER_ON, DRAIN_PEER_OFF = 2, 3, 1

# Configuration bits.
CFG_NO_TIE_BREAKER, CFG_PEER_PLAIN, CFG_DEFAULT_SECRET, CFG_NO_DRAIN = 0x01, 0x10, 0x20, 0x40

# Hosts (enum host) and the message types craft() knows, in its order (16 is a ZLB).
PEER, SECRET, PLAIN, V6 = range(4)
TYPES = ['SCCRQ', 'SCCRP', 'SCCCN', 'STOPCCN', 'HELLO', 'OCRQ', 'OCRP', 'OCCN', 'ICRQ', 'ICRP',
         'ICCN', 'CDN', 'WEN', 'SLI', 'FSQ', 'FSR', 'ZLB']

# Craft flags (CRAFT_*), and the Nr modes of the seq operand (bits 3-4).
FULL, HIDE, PORT, MUTATE, AUTH, REP = 0x04, 0x08, 0x10, 0x20, 0x40, 0x80
ACK_ALL, ACK_NONE = 0 << 3, 1 << 3

# Call information of OP_CALL and OP_PEER_CALL (bits 1-7 of the direction octet).
INFO_NONE, INFO_NUMBER, INFO_FULL = 0 << 1, 1 << 1, 3 << 1
INCOMING, OUTGOING = 0, 1


def craft(typ, host, flags=0, tunnel=0, seq=1, session=0, assigned=0x20, codes=0, copies=1,
          muts=(), tid=0):
    """OP_CRAFT: a message from a scripted host (see craft() in engine_hosts.c)."""
    b = [CRAFT, TYPES.index(typ), host | flags, tunnel]
    if tunnel >= 0xc0:
        b += [tid >> 8, tid & 0xff]
    b += [seq, session, assigned, codes]
    if flags & REP:
        b.append(copies - 1)
    if flags & MUTATE:
        b.append(len(muts) - 1)
        for offset, value in muts:
            b += [offset, value]
    return b


def run(answer_kernel=1):
    return [RUN, answer_kernel]


def tick(b):
    """OP_TICK: 1 + (b & 0x7f) * 16 ms, times 1024 if bit 7 is set."""
    return [TICK, b]


def deadline(n=1):
    return [TICK_DEADLINE] * n


def kernel(which=0, outcome=0):
    """OP_KERNEL: outcome < 0xc0 succeeds, 0xc0 fails with EEXIST, 0xc1 with ENOMEM."""
    return [KERNEL, which, outcome]


def call(tunnel, how):
    return [CALL, tunnel, how]


def restart(flip=None):
    """OP_RESTART: the EUT is killed and restores its records; flip=(record, offset, xor) damages one."""
    return [RESTART, 0] if flip is None else [RESTART, 1] + list(flip)


# The peer engine opens a tunnel and places an incoming call with every field: the EUT is LNS.
PEER_LAC = [PEER_OPEN] + run() + [PEER_CALL, 0, INCOMING | INFO_FULL] + run()
# The EUT opens a tunnel to the peer engine and places an incoming call: the EUT is LAC.
EUT_LAC = [OPEN, PEER] + run() + call(0, INCOMING | INFO_FULL) + run()
# The plain host opens a tunnel to the EUT, which the kernel then holds.
PLAIN_TUNNEL = craft('SCCRQ', PLAIN) + craft('SCCCN', PLAIN, tunnel=0, seq=1) + kernel()

SEEDS = {
    # Extended failover: the group's first level is the peer engine and the secret host.
    'group-call': [0, GROUP_CALL, GROUP_ALL | INFO_NUMBER << 1] + run() + deadline(4) + run(),
    'group-call-peer-draining': [0, DRAIN, DRAIN_PEER_ON, GROUP_CALL, GROUP_PEER | INFO_NUMBER << 1] + run()
    + [DRAIN, DRAIN_PEER_OFF, CLEAR_BUSY, 0x80, GROUP_CALL, GROUP_PEER] + run(),
    'group-call-reuses-tunnel': [0, GROUP_CALL, GROUP_PEER] + run() + [GROUP_CALL, GROUP_PEER] + run()
    + [DRAIN, DRAIN_PEER_ON, GROUP_CALL, GROUP_ALL] + run() + deadline(6),
    'group-call-unknown-group': [0, GROUP_CALL, GROUP_NONE],
    'eut-draining': [0, DRAIN, DRAIN_EUT_ON] + PEER_LAC + run(),
    # Calls between the EUT and the peer engine, each role, each direction.
    'peer-lac-incoming-call': [0] + PEER_LAC + tick(0x10) + run(),
    'peer-lns-outgoing-call': [0, PEER_OPEN] + run() + [PEER_CALL, 0, OUTGOING | INFO_NUMBER] + run(),
    'eut-lac-incoming-call': [0] + EUT_LAC + run(),
    'eut-lns-outgoing-call': [0, OPEN, PEER] + run() + call(0, OUTGOING) + run(),
    'eut-calls-placed-before-tunnel-up': [0, OPEN, PEER] + call(0, INCOMING | INFO_NUMBER)
    + call(0, OUTGOING | INFO_NONE) + run(),
    # Teardown from either side, and by pppd.
    'peer-stopccn': [0] + PEER_LAC + [PEER_CLOSE, 0, 0] + run() + deadline(2),
    'peer-cdn': [0] + PEER_LAC + [PEER_CLOSE, 1, 0] + run(),
    'eut-close-tunnel': [0] + EUT_LAC + [CLOSE_TUNNEL, 0, 1, 0, 2] + run() + deadline(3),
    'eut-close-session': [0] + EUT_LAC + [CLOSE_SESSION, 0, 3, 0, 2] + run(),
    'pppd-exit': [0] + PEER_LAC + [PPPD_EXIT, 0, 1] + run(),
    # SESSION_UP's call information is still readable after pppd exits and the call is gone.
    'deferred-clear-pppd-exit': [0, DEFER] + PEER_LAC + [PPPD_EXIT, 0, 1, DEFER] + run(),
    # Retransmissions run out.
    'sccrq-retransmissions-exhausted': [0, OPEN, PLAIN] + deadline(8),
    'icrq-retransmissions-exhausted': [0, OPEN, PEER] + run() + call(0, INCOMING | INFO_NUMBER)
    + deadline(8),
    # The plain host acknowledges our SCCRQ and never answers: cleared at 62 s.
    'sccrq-acked-never-answered': [0, OPEN, PLAIN] + craft('ZLB', PLAIN, seq=1 | ACK_ALL) + deadline(2),
    # Tie breakers (RFC 2661 §7.2.1) against the peer engine and the scripted host.
    'tie-breaker-with-peer-engine': [0, OPEN, PEER, PEER_OPEN] + run() + run(),
    'tie-breaker-with-peer-engine-lost': [CFG_NO_TIE_BREAKER, OPEN, PEER] + call(0, 0) + [PEER_OPEN]
    + run() + run(),
    'tie-breaker-they-win': [0, OPEN, SECRET] + call(0, INCOMING | INFO_NUMBER)
    + craft('SCCRQ', SECRET, assigned=0x40),
    'tie-breaker-we-win': [0, OPEN, SECRET] + craft('SCCRQ', SECRET, assigned=0xc0),
    'tie-breaker-equal': [0, OPEN, SECRET] + craft('SCCRQ', SECRET, assigned=0x60),
    'tie-breaker-moves-calls': [CFG_NO_TIE_BREAKER, OPEN, PEER] + call(0, 0) + call(0, 0) + [OPEN, PEER]
    + call(1, 0) * 3 + [PEER_OPEN] + run(),
    # Two losing tunnels with four calls each: the winner takes four, the rest are cleared.
    'tie-loser-calls-over-limit': [CFG_NO_TIE_BREAKER, OPEN, PEER, OPEN, PEER] + call(0, 0) * 4
    + call(1, 0) * 4 + [PEER_OPEN] + run(),
    # Limits.
    'tunnel-limit': [0] + craft('SCCRQ', PLAIN, REP, copies=8)
    + craft('SCCRQ', PLAIN, REP, assigned=0x28, copies=2),
    'raw-host-tunnel-and-calls': [0] + PLAIN_TUNNEL + craft('ICRQ', PLAIN, REP | FULL, copies=6)
    + craft('ICCN', PLAIN, FULL, session=0) + craft('ICCN', PLAIN, session=1) + kernel() + kernel()
    + craft('CDN', PLAIN, session=0) + craft('WEN', PLAIN, session=1) + craft('SLI', PLAIN, session=1)
    + craft('STOPCCN', PLAIN),
    'raw-host-session-limit': [0] + PLAIN_TUNNEL + craft('ICRQ', PLAIN, REP, copies=8)
    + craft('ICCN', PLAIN, session=0) + kernel(),
    # Refused ICRQs that acknowledge nothing: at 32 queued the tunnel is cleared (StopCCN 2/4).
    'refused-call-flood': [0] + PLAIN_TUNNEL
    + sum((craft('ICRQ', PLAIN, REP, seq=1 | ACK_NONE, session=i, copies=8) for i in range(10)), []),
    # Transport: StopCCN before our ID is known, messages ahead of sequence, loss and duplicates.
    'stopccn-before-our-id-known': [0] + craft('SCCRQ', PLAIN) + craft('STOPCCN', PLAIN, tunnel=0xc0, seq=2),
    'held-out-of-order': [0] + PLAIN_TUNNEL + craft('ICRQ', PLAIN, seq=3)
    + craft('ICRQ', PLAIN, seq=2, session=1) + craft('HELLO', PLAIN, seq=1),
    'duplicate-and-loss': [0, PEER_OPEN, LINK, 0, 0, LINK, 3, 0, LINK, 4, 0] + run() + [LINK, 2, 0]
    + deadline(2) + run(),
    'hello': [0] + PEER_LAC + tick(0xbf) + run() + tick(0xbf) + run(),
    # The responder answers from another port and the tunnel follows it (RFC 2661 §8.1).
    'eut-opens-answered-from-other-port': [0, OPEN, PLAIN] + craft('SCCRP', PLAIN, PORT)
    + craft('HELLO', PLAIN),
    # Authentication (RFC 2661 §5.1.1) and hidden AVPs.
    'secret-host-auth': [0] + craft('SCCRQ', SECRET, FULL) + craft('SCCCN', SECRET, AUTH) + kernel(),
    'secret-host-wrong-auth': [0] + craft('SCCRQ', SECRET, FULL | HIDE) + craft('SCCCN', SECRET),
    'eut-opens-secret-host': [0, OPEN, SECRET] + craft('SCCRP', SECRET, AUTH | FULL) + kernel()
    + call(0, 0) + craft('ICRP', SECRET, session=0) + kernel(),
    'default-secret-raw': [CFG_DEFAULT_SECRET] + craft('SCCRQ', PLAIN, FULL | HIDE)
    + [RAW, 0x18 | PLAIN, 20] + [0xc8, 2, 0, 20] + [0] * 16,
    'plain-peers-v6-host': [CFG_PEER_PLAIN, OPEN, V6] + PEER_LAC + deadline(2),
    # The kernel says no; engine_free() with everything still alive.
    'kernel-refuses': [0, PEER_OPEN] + run(0) + kernel(0, 0xc0) + run(0),
    'kernel-session-refused': [0, PEER_OPEN] + run(1) + [PEER_CALL, 0, 0] + run(0) + kernel(0, 0xc1) + run(),
    'free-with-live-objects': [CFG_NO_DRAIN] + PEER_LAC + EUT_LAC,
    'mutated-sccrq': [0] + craft('SCCRQ', PLAIN, MUTATE | FULL, muts=[(20, 0xff), (7, 0)]),
    # Hitless restart: the EUT keeps its calls, resynchronises silently, and takes new calls.
    'restart-eut-lac': [0] + EUT_LAC + call(0, OUTGOING | INFO_NUMBER) + run() + restart() + run()
    + call(0, INCOMING | INFO_NUMBER) + run() + tick(0xbf) + run(),
    # A second call is half set up when the EUT dies: forgotten on its side, refused when it goes on.
    'restart-eut-lns-call-half-set-up': [0] + PEER_LAC + [PEER_CALL, 0, INCOMING | INFO_NUMBER, LINK, 0, 0]
    + restart() + run() + [PEER_CALL, 0, INCOMING | INFO_FULL] + run() + deadline(2) + run(),
    # Killed twice; the second time a record is damaged: refused or believed, never a crash.
    'restart-twice-damaged': [0] + PEER_LAC + EUT_LAC + restart() + restart((1, 30, 0x55)) + run()
    + [PEER_CALL, 0, OUTGOING | INFO_NUMBER] + call(0, INCOMING) + run() + deadline(2) + run(),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'corpus', 'engine')
    os.makedirs(out, exist_ok=True)
    for name, program in sorted(SEEDS.items()):
        assert all(0 <= x < 256 for x in program), name
        with open(os.path.join(out, name), 'wb') as f:
            f.write(bytes(program))
    print(f'{len(SEEDS)} seeds in {out}')


if __name__ == '__main__':
    main()
