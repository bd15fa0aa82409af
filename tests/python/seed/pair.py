import time
import nnpy


def node1(url):
    sock = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    sock.bind(url)
    name = 'Node1'
    while True:
        msg = sock.recv()
        print(f'[{name}] received {msg}')
        time.sleep(1)
        print(f'[{name}] send {name}')
        sock.send(name)


def node2(url):
    sock = nnpy.Socket(nnpy.AF_SP, nnpy.PAIR)
    sock.connect(url)
    name = 'Node2'
    while True:
        print(f'[{name}] send {name}')
        sock.send(name)
        time.sleep(1)
        msg = sock.recv()
        print(f'[{name}] received {msg}')


if __name__ == '__main__':
    import sys
    assert len(sys.argv) == 3
    if sys.argv[1] == 'node1':
        node1(sys.argv[2])
    elif sys.argv[1] == 'node2':
        node2(sys.argv[2])
    else:
        print('''Usage:
        python pair.py node1 <url>
        python pair.py node1 <url>''')
