"""nnpy (built for upstream nanomsg) driving our library over inproc PAIR.

Checks that the process really loaded our libnanomsg (not Debian's), then
exercises what a Python user does with PAIR: bind/connect in both orders,
send/recv both ways, timeouts surfacing as nnpy errors, options, and
poll() on the level-triggered RCVFD.
"""
import os
import select
import sys
import threading

import nnpy

expect_dir = os.path.realpath(sys.argv[1])


def loaded_nanomsg():
    with open('/proc/self/maps') as f:
        paths = {line.split()[-1] for line in f if 'libnanomsg' in line}
    return [os.path.realpath(p) for p in paths]


def main():
    a = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    libs = loaded_nanomsg()
    assert libs and all(p.startswith(expect_dir) for p in libs), libs
    print('nnpy loaded', libs[0])

    # Connect first, bind second: inproc does not care about the order.
    b = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    b.connect('inproc://nnpy-pair')
    a.bind('inproc://nnpy-pair')
    a.send('hello')
    assert b.recv() == b'hello'
    b.send(b'\x00binary\xff')
    assert a.recv() == b'\x00binary\xff'

    # Options through nnpy's setsockopt/getsockopt.
    a.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, 100)
    assert a.getsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO) == 100
    assert a.getsockopt(nnpy.SOL_SOCKET, nnpy.SNDBUF) == 128 * 1024
    try:
        a.recv()
        raise AssertionError('recv should time out')
    except nnpy.errors.NNError as e:
        assert e.error_no == nnpy.ETIMEDOUT, e.error_no

    # Non-blocking receive with nothing there.
    try:
        a.recv(nnpy.DONTWAIT)
        raise AssertionError('DONTWAIT recv should fail')
    except nnpy.errors.NNError as e:
        assert e.error_no == nnpy.EAGAIN, e.error_no

    # RCVFD is level-triggered: readable while a message waits.
    fd = a.getsockopt(nnpy.SOL_SOCKET, nnpy.RCVFD)
    assert select.select([fd], [], [], 0)[0] == []
    b.send('ping')
    assert select.select([fd], [], [], 1)[0] == [fd]
    assert select.select([fd], [], [], 0)[0] == [fd]
    assert a.recv() == b'ping'
    assert select.select([fd], [], [], 0)[0] == []

    # A receiver in another thread, woken by a send.
    got = []
    t = threading.Thread(target=lambda: got.append(b.recv()))
    t.start()
    a.send('from main')
    t.join(5)
    assert got == [b'from main'], got

    # Many messages in order.
    for i in range(1000):
        a.send(str(i))
    for i in range(1000):
        assert b.recv() == str(i).encode()

    a.close()
    b.close()
    print('nnpy inproc PAIR: OK')


main()
