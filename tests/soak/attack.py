#!/usr/bin/env python3
"""The soak's attacker: hostile peers against every listener of the soak
server (Python 3 standard library only; raw sockets, no nanomsg).

Usage: attack.py LISTENERS_JSON SESSIONS SEED TIME_CAP_S

LISTENERS_JSON is a file holding a list of {role, tr, addr, proto, peer}
(the server's "listen" lines). SESSIONS sessions are thrown at EVERY
listener; the plan (listener, kind, per-session seed) is drawn up front
from SEED, so a seed always means the same sessions (worker threads run
them in a varying order). No session is started after TIME_CAP_S seconds.

The wire (what a valid peer sends; the attacker plays the server's peer
protocol):
  tcp  header 00 'S' 'P' 00, peer protocol id (16-bit BE), 00 00; then
       each message is a 64-bit BE length and the bytes
  ipc  the same header; each message is a type byte 01, the length, bytes
  tls  tcp's, inside a TLS session (Python's ssl, certificate not
       checked); one session in five (`cleartext`) sends it in the clear
       instead, and the TLS handshake itself may be cut by a session kind
       that closes early
  ws   an HTTP/1.1 upgrade asking for Sec-WebSocket-Protocol
       <server protocol>.sp.nanomsg.org; each message one masked final
       binary frame (RFC 6455)
  REQ/SURVEYOR messages start with a 4-byte id (top bit set); REP and
  RESPONDENT answers start with the id they answer.

Session kinds (each on every transport):
  valid     a correct exchange: handshake, then per role a request and its
            reply (rep, respondent, pair2, bus), a few messages (sub,
            pull, pair), a message received (pub, push) or a survey or
            request received and answered (surveyor, req); closed with FIN
            or RST
  flip      a valid exchange's bytes (handshake + 1-3 messages) with 1-4
            bytes XORed, sent in one go, read 30 ms, closed
  insert    the same with 1-8 random bytes inserted at random places
  truncate  the same cut at a random point, then closed
  hugelen   a valid handshake then a length of 2^63 or 2^64-1 (ws: the
            64-bit frame length), then some bytes
  halfhdr   part of the handshake (1..n-1 bytes of the SP header or of the
            HTTP request), then closed at once or held silent 0.2-7 s (the
            server's handshake limit is 5 s)
  midmsg    handshake, a length announcing more than is sent, part of the
            body, then FIN or RST
  vanish    connect, handshake (without or with reading the server's side
            of it), one valid message, close at once (FIN or RST)
  noread    handshake then messages until the socket buffer is full, never
            reading (an echo server's answers pile up; PUB/PUSH/SURVEYOR/
            REQ's own sends too), held 0.5-3 s, then closed
  unread    (pub, push, surveyor only: they send, and read nothing, or
            only responses) handshake then messages the protocol never
            reads, never reading what it sends, held 0.5-3 s, closed

Prints a JSON summary on its last stdout line: sessions per kind and per
listener, connect failures, valid exchanges answered, sessions the server
closed, the elapsed time and whether the time cap stopped it.

For diagnosis, SOAK_KINDS (e.g. "vanish,flip") and SOAK_TARGETS (roles or
role.transport, e.g. "pub,push.tcp") restrict the plan.
"""
import base64
import heapq
import json
import os
import ssl
import random
import socket
import struct
import sys
import threading
import time

PROTO_NAMES = {16: "pair", 32: "pub", 33: "sub", 48: "req", 49: "rep",
               80: "push", 81: "pull", 98: "surveyor", 99: "respondent",
               112: "bus"}

KINDS = [("valid", 10), ("flip", 14), ("insert", 10), ("truncate", 10),
         ("hugelen", 6), ("halfhdr", 8), ("midmsg", 10), ("vanish", 16),
         ("noread", 5), ("unread", 6)]
SENDERS = ("pub", "push", "surveyor")  # the roles "unread" applies to

MAX_PARKED = 300  # silent connections held open at once
WORKERS = int(os.environ.get("SOAK_WORKERS", "") or 24)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.kinds = {}
        self.listeners = {}
        self.connect_failures = {}
        self.valid_expected = 0
        self.valid_answered = 0
        self.closed_by_server = {}
        self.errors = {}

    def add(self, d, k, n=1):
        with self.lock:
            d[k] = d.get(k, 0) + n

    def bump(self, name):
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


STATS = Stats()


# ---- parked connections: held silent, closed by the janitor ----------------

class Parking:
    def __init__(self):
        self.cv = threading.Condition()
        self.heap = []
        self.seq = 0
        self.done = False

    def park(self, sock, seconds, rst):
        with self.cv:
            while len(self.heap) >= MAX_PARKED and not self.done:
                self.cv.wait(0.05)
            self.seq += 1
            heapq.heappush(self.heap, (time.monotonic() + seconds, self.seq,
                                       sock, rst))
            self.cv.notify_all()

    def janitor(self):
        while True:
            with self.cv:
                while True:
                    now = time.monotonic()
                    if self.heap and (self.heap[0][0] <= now or self.done):
                        _, _, sock, rst = heapq.heappop(self.heap)
                        break
                    if self.done and not self.heap:
                        return
                    timeout = self.heap[0][0] - now if self.heap else 0.1
                    self.cv.wait(min(timeout, 0.1))
                self.cv.notify_all()
            close(sock, rst)

    def finish(self):
        with self.cv:
            self.done = True
            self.cv.notify_all()


PARKING = Parking()


# ---- wire helpers --------------------------------------------------------

def sp_header(proto):
    return b"\0SP\0" + struct.pack(">H", proto) + b"\0\0"


def ws_request(lst, rng):
    key = base64.b64encode(bytes(rng.getrandbits(8) for _ in range(16)))
    host = lst["addr"].split("//", 1)[1].split("/", 1)[0]
    return (b"GET / HTTP/1.1\r\nHost: " + host.encode() +
            b"\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: " + key +
            b"\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: " +
            PROTO_NAMES[lst["proto"]].encode() + b".sp.nanomsg.org\r\n\r\n")


def ws_frame(payload, rng, length=None, opcode=2):
    n = len(payload) if length is None else length
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    mask = bytes(rng.getrandbits(8) for _ in range(4))
    if payload:
        m = (mask * (len(payload) // 4 + 1))[:len(payload)]
        body = (int.from_bytes(payload, "big") ^
                int.from_bytes(m, "big")).to_bytes(len(payload), "big")
    else:
        body = b""
    return head + mask + body


def handshake(lst, rng):
    if lst["tr"] == "ws":
        return ws_request(lst, rng)
    return sp_header(lst["peer"])


def frame(lst, body, rng, length=None):
    n = len(body) if length is None else length
    if lst["tr"] == "ws":
        return ws_frame(body, rng, length)
    if lst["tr"] == "ipc":
        return b"\x01" + struct.pack(">Q", n) + body
    return struct.pack(">Q", n) + body


def payload(rng):
    r = rng.random()
    if r < 0.7:
        n = rng.randrange(0, 64)
    elif r < 0.95:
        n = rng.randrange(64, 2048)
    else:
        n = rng.randrange(2048, 70000)
    return rng.randbytes(n)


def request_id(rng):
    return struct.pack(">I", 0x80000000 | rng.getrandbits(31))


def body_for(lst, rng):
    """One valid message from the peer's side."""
    role = lst["role"]
    if role in ("rep", "respondent"):
        return request_id(rng) + payload(rng)
    if role in ("req", "surveyor"):
        # an answer to an id we never saw: valid framing, unroutable
        return request_id(rng) + payload(rng)
    return payload(rng)


def script(lst, rng):
    """A valid exchange's bytes: handshake and 1-3 messages."""
    out = handshake(lst, rng)
    for _ in range(rng.randrange(1, 4)):
        out += frame(lst, body_for(lst, rng), rng)
    return out


# ---- sockets -------------------------------------------------------------

def connect(lst, rng):
    if lst["tr"] == "ipc":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = lst["addr"][len("ipc://"):]
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        hp = lst["addr"].split("//", 1)[1].split("/", 1)[0]
        host, port = hp.rsplit(":", 1)
        target = (host, int(port))
    s.settimeout(5.0)
    try:
        s.connect(target)
    except OSError as e:
        s.close()
        STATS.add(STATS.connect_failures, "%s.%s %s" % (
            lst["role"], lst["tr"], type(e).__name__))
        return None
    if lst["tr"] == "tls" and rng.random() >= 0.2:
        try:
            s = TLS.wrap_socket(s)
        except OSError as e:
            s.close()
            STATS.add(STATS.connect_failures, "%s.%s TLS %s" % (
                lst["role"], lst["tr"], type(e).__name__))
            return None
    return s


# The attacker's TLS: whatever the server presents is taken.
TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


def close(s, rst):
    try:
        if rst:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
        s.close()
    except OSError:
        pass


def send(s, data):
    try:
        s.sendall(data)
        return True
    except OSError:
        return False


def send_until_full(s, chunks):
    """Writes without blocking until the kernel buffer is full."""
    s.setblocking(False)
    try:
        for c in chunks:
            view = memoryview(c)
            while view:
                n = s.send(view)
                view = view[n:]
    except (BlockingIOError, OSError):
        pass


def drain(s, seconds):
    """Reads for up to `seconds`; True when the server closed."""
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return False
        s.settimeout(left)
        try:
            d = s.recv(65536)
        except socket.timeout:
            return False
        except OSError:
            return True
        if not d:
            return True


class Reader:
    """Reads the server's side of a valid exchange, with a deadline."""

    def __init__(self, s, lst, seconds):
        self.s, self.lst = s, lst
        self.buf = b""
        self.end = time.monotonic() + seconds

    def need(self, n):
        while len(self.buf) < n:
            left = self.end - time.monotonic()
            if left <= 0:
                return False
            self.s.settimeout(left)
            try:
                d = self.s.recv(65536)
            except OSError:
                return False
            if not d:
                return False
            self.buf += d
        return True

    def take(self, n):
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def handshake(self):
        if self.lst["tr"] == "ws":
            while b"\r\n\r\n" not in self.buf:
                if not self.need(len(self.buf) + 1):
                    return False
            head, self.buf = self.buf.split(b"\r\n\r\n", 1)
            return head.startswith(b"HTTP/1.1 101")
        if not self.need(8):
            return False
        return self.take(8) == sp_header(self.lst["proto"])

    def message(self):
        if self.lst["tr"] == "ws":
            if not self.need(2):
                return None
            n = self.buf[1] & 0x7F
            hl = 2
            if n == 126:
                if not self.need(4):
                    return None
                n = struct.unpack(">H", self.buf[2:4])[0]
                hl = 4
            elif n == 127:
                if not self.need(10):
                    return None
                n = struct.unpack(">Q", self.buf[2:10])[0]
                hl = 10
            if n > 1 << 20 or not self.need(hl + n):
                return None
            self.take(hl)
            return self.take(n)
        hl = 9 if self.lst["tr"] == "ipc" else 8
        if not self.need(hl):
            return None
        n = struct.unpack(">Q", self.buf[hl - 8:hl])[0]
        if n > 1 << 20 or not self.need(hl + n):
            return None
        self.take(hl)
        return self.take(n)


# ---- sessions ------------------------------------------------------------

def s_valid(s, lst, rng):
    role = lst["role"]
    if not send(s, handshake(lst, rng)):
        return
    rd = Reader(s, lst, 2.0)
    if not rd.handshake():
        return
    if role in ("rep", "respondent", "pair2", "bus"):
        body = body_for(lst, rng)
        if len(body) > 60000:
            body = body[:60000]
        if not send(s, frame(lst, body, rng)):
            return
        STATS.bump("valid_expected")
        while True:
            m = rd.message()
            if m is None:
                break
            if m == body:
                STATS.bump("valid_answered")
                break
    elif role in ("sub", "pull", "pair"):
        for _ in range(rng.randrange(1, 4)):
            send(s, frame(lst, body_for(lst, rng), rng))
        drain(s, 0.01)
    elif role in ("pub", "push"):
        rd.message()
    else:  # surveyor, req: answer the server's question
        m = rd.message()
        if m is not None and len(m) >= 4:
            send(s, frame(lst, m[:4] + payload(rng)[:100], rng))


def s_flip(s, lst, rng):
    data = bytearray(script(lst, rng))
    for _ in range(rng.randrange(1, 5)):
        data[rng.randrange(len(data))] ^= rng.randrange(1, 256)
    send(s, bytes(data))
    return drain(s, 0.03)


def s_insert(s, lst, rng):
    data = bytearray(script(lst, rng))
    for _ in range(rng.randrange(1, 9)):
        data.insert(rng.randrange(len(data) + 1), rng.getrandbits(8))
    send(s, bytes(data))
    return drain(s, 0.03)


def s_truncate(s, lst, rng):
    data = script(lst, rng)
    send(s, data[:rng.randrange(len(data))])
    return drain(s, 0.01)


def s_hugelen(s, lst, rng):
    n = rng.choice((1 << 63, (1 << 64) - 1))
    data = handshake(lst, rng) + frame(lst, b"", rng, length=n)
    data += rng.randbytes(rng.randrange(0, 64))
    send(s, data)
    return drain(s, 0.2)


def s_halfhdr(s, lst, rng):
    h = handshake(lst, rng)
    send(s, h[:rng.randrange(1, len(h))])
    if rng.random() < 0.5:
        return False
    PARKING.park(s, rng.uniform(0.2, 7.0), rng.random() < 0.3)
    return None


def s_midmsg(s, lst, rng):
    body = body_for(lst, rng) + rng.randbytes(rng.randrange(1, 200))
    full = frame(lst, body, rng)
    cut = len(full) - rng.randrange(1, len(body) + 1)
    send(s, handshake(lst, rng) + full[:cut])
    if rng.random() < 0.5:
        return drain(s, 0.01)
    return False


def s_vanish(s, lst, rng):
    send(s, handshake(lst, rng))
    if rng.random() < 0.5:
        rd = Reader(s, lst, 1.0)
        rd.handshake()
    send(s, frame(lst, body_for(lst, rng), rng))
    return False


def s_noread(s, lst, rng):
    chunks = [handshake(lst, rng)]
    chunks += [frame(lst, rng.randbytes(rng.randrange(100, 4000)), rng)
               for _ in range(rng.randrange(20, 200))]
    send_until_full(s, chunks)
    PARKING.park(s, rng.uniform(0.5, 3.0), rng.random() < 0.3)
    return None


def s_unread(s, lst, rng):
    chunks = [handshake(lst, rng)]
    chunks += [frame(lst, body_for(lst, rng), rng)
               for _ in range(rng.randrange(5, 100))]
    send_until_full(s, chunks)
    PARKING.park(s, rng.uniform(0.5, 3.0), rng.random() < 0.3)
    return None


SESSIONS = {"valid": s_valid, "flip": s_flip, "insert": s_insert,
            "truncate": s_truncate, "hugelen": s_hugelen,
            "halfhdr": s_halfhdr, "midmsg": s_midmsg, "vanish": s_vanish,
            "noread": s_noread, "unread": s_unread}


def run_session(lst, kind, seed):
    rng = random.Random(seed)
    s = connect(lst, rng)
    if s is None:
        return
    try:
        closed = SESSIONS[kind](s, lst, rng)
    except Exception as e:  # an attacker bug must not go unnoticed
        STATS.add(STATS.errors, "%s %s: %r" % (kind, lst["role"], e))
        closed = False
    if closed is None:
        return  # parked
    if closed:
        STATS.add(STATS.closed_by_server, kind)
    close(s, rng.random() < 0.3)


def main():
    listeners = json.load(open(sys.argv[1]))
    per = int(sys.argv[2])
    seed = int(sys.argv[3])
    cap = float(sys.argv[4])
    # Diagnosis: SOAK_KINDS=vanish,flip and SOAK_TARGETS=pub,push.tcp
    # restrict the plan to some kinds and listeners (role or role.tr).
    only_kinds = set(filter(None, os.environ.get("SOAK_KINDS", "").split(",")))
    only_targets = set(filter(None,
                              os.environ.get("SOAK_TARGETS", "").split(",")))
    rng = random.Random(seed)
    plan = []
    for i, lst in enumerate(listeners):
        if only_targets and lst["role"] not in only_targets and \
                "%s.%s" % (lst["role"], lst["tr"]) not in only_targets:
            continue
        kinds = [(k, w) for k, w in KINDS
                 if (k != "unread" or lst["role"] in SENDERS) and
                 (not only_kinds or k in only_kinds)]
        if not kinds:
            continue
        names = [k for k, _ in kinds]
        weights = [w for _, w in kinds]
        for k in rng.choices(names, weights, k=per):
            plan.append((i, k, rng.getrandbits(64)))
    rng.shuffle(plan)

    lock = threading.Lock()
    it = iter(plan)
    start = time.monotonic()
    capped = [False]

    def worker():
        while True:
            with lock:
                if time.monotonic() - start > cap:
                    capped[0] = True
                    return
                item = next(it, None)
            if item is None:
                return
            i, kind, sseed = item
            lst = listeners[i]
            run_session(lst, kind, sseed)
            STATS.add(STATS.kinds, kind)
            STATS.add(STATS.listeners, "%s.%s" % (lst["role"], lst["tr"]))

    jan = threading.Thread(target=PARKING.janitor)
    jan.start()
    ths = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    PARKING.finish()  # close what is still parked, at once
    jan.join()
    print(json.dumps({
        "sessions": sum(STATS.kinds.values()),
        "planned": len(plan),
        "kinds": STATS.kinds,
        "listeners": STATS.listeners,
        "connect_failures": STATS.connect_failures,
        "valid_expected": STATS.valid_expected,
        "valid_answered": STATS.valid_answered,
        "closed_by_server": STATS.closed_by_server,
        "errors": STATS.errors,
        "elapsed_s": round(time.monotonic() - start, 1),
        "capped": capped[0],
    }), flush=True)


if __name__ == "__main__":
    main()
