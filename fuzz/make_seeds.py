#!/usr/bin/env python3
"""Writes the hand-made seed inputs in seeds/<target>/ (committed; the
corpus a run grows goes to corpus/<target>/, which git ignores).
Each seed is a small valid exchange in the input format its target's
header comment describes. Run from anywhere: python3 fuzz/make_seeds.py
(seeds named regress-* are inputs that once crashed a target, kept as
they were found; this script leaves them alone)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, "seeds", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- sp_framing: [ipc | maxsize index << 1 | cap index << 4][seed][stream]
# maxsize index: -1, 0, 1, 5, 64, 1000, 1 MiB, i64::MAX; cap: 16, 40, 256, 64 KiB
def sp(body, ipc=False):
    return (b"\x01" if ipc else b"") + struct.pack(">Q", len(body)) + body


SP_HDR_PAIR = b"\x00SP\x00\x00\x10\x00\x00"
put("sp_framing", "tcp_pair", bytes([0 | 0 << 1 | 2 << 4, 7])
    + sp(b"hello") + sp(b"") + sp(bytes(range(200)) * 2))
put("sp_framing", "ipc_req", bytes([1 | 6 << 1 | 3 << 4, 3])
    + sp(b"\x80\x00\x00\x01question", True) + sp(b"\x80\x00\x00\x02again", True))
put("sp_framing", "tcp_over_limit", bytes([0 | 3 << 1 | 1 << 4, 1])
    + sp(b"12345") + sp(b"123456"))
put("sp_framing", "ipc_bad_type", bytes([1 | 0 << 1 | 2 << 4, 9])
    + sp(b"ok", True) + b"\x02" + struct.pack(">Q", 1) + b"x")
put("sp_framing", "header_then_large", bytes([0 | 7 << 1 | 0 << 4, 200])
    + SP_HDR_PAIR + b"tail-of-large-message")


# ---- ws_deframer: [server | maxsize index << 1 | round-trip 0x10][seed][data]
# maxsize index: -1, 0, 1, 5, 125, 1000, 70000, i64::MAX
def frame(op, payload, fin=True, mask=None):
    b0 = (0x80 if fin else 0) | op
    n = len(payload)
    m = 0x80 if mask else 0
    if n < 126:
        h = bytes([b0, m | n])
    elif n < 65536:
        h = bytes([b0, m | 126]) + struct.pack(">H", n)
    else:
        h = bytes([b0, m | 127]) + struct.pack(">Q", n)
    if mask:
        h += mask
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
    return h + payload


K = b"\x37\xfa\x21\x3d"
put("ws_deframer", "server_exchange", bytes([1 | 0 << 1, 5])
    + frame(2, b"hello", mask=K) + frame(2, b"", mask=K)
    + frame(1, "fr\u00e9".encode(), fin=False, mask=K)
    + frame(9, b"ping?", mask=K) + frame(0, b"agment", mask=K)
    + frame(2, bytes(300), mask=K) + frame(8, b"\x03\xe8", mask=K))
put("ws_deframer", "client_exchange", bytes([0 | 5 << 1, 11])
    + frame(2, b"\x80\x00\x00\x01reply") + frame(10, b"")
    + frame(2, b"x" * 126) + frame(8, b""))
put("ws_deframer", "server_over_limit", bytes([1 | 3 << 1, 2])
    + frame(2, b"12", fin=False, mask=K) + frame(0, b"3456", mask=K))
put("ws_deframer", "round_trip", bytes([1 | 0x10, 4])
    + bytes([0x02, 0, 5, 3, 0x47, 0, 130, 1, 0x01, 0, 40, 9, 0x80, 0, 3, 5]))
put("ws_deframer", "round_trip_client", bytes([0x10, 8])
    + bytes([0x06, 0, 200, 7, 0x03, 1, 0, 2]))

# ---- http_upgrade: [mode % 3][bytes]
REQ = (b"GET /some/path?q=1 HTTP/1.1\r\nHost: 127.0.0.1:5555\r\n"
       b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
       b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
       b"Sec-WebSocket-Version: 13\r\n"
       b"Sec-WebSocket-Protocol: rep.sp.nanomsg.org\r\n\r\n")
put("http_upgrade", "request", b"\x00" + REQ)
put("http_upgrade", "request_nng", b"\x00" + REQ.replace(b"GET /some/path?q=1 ", b"GET  ")
    .replace(b"rep.sp", b"pair.sp"))
put("http_upgrade", "response", b"\x01"
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
    b"Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    b"Sec-WebSocket-Protocol: rep.sp.nanomsg.org\r\n\r\n")
put("http_upgrade", "response_400", b"\x01"
    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
put("http_upgrade", "client_address", b"\x02127.0.0.1:5555|some/path?q=1")


# ---- cmsg: [room for the writer][control buffer]
def cmsg(level, typ, data):
    n = 16 + len(data)
    pad = (-n) % 8
    return struct.pack("=QiI", n, level, typ) + data + b"\x00" * pad


def sp_hdr(h):
    return cmsg(1, 1, struct.pack("=Q", len(h)) + h)


put("cmsg", "sp_hdr", bytes([64]) + sp_hdr(b"\x80\x00\x00\x01"))
put("cmsg", "two_props", bytes([40]) + cmsg(7, 70, b"xyz") + sp_hdr(b"\x80\x00\x00\x02"))
put("cmsg", "empty_prop", bytes([16]) + cmsg(9, 9, b"") + cmsg(1, 1, b""))
