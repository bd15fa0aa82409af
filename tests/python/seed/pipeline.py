import nnpy


def producer(url, msg):
    sock = nnpy.Socket(nnpy.AF_SP, nnpy.PUSH)
    sock.bind(url)
    print(f'[Producer]: send "{msg}"')
    sock.send(msg)


def consumer(url):
    sock = nnpy.Socket(nnpy.AF_SP, nnpy.PULL)
    sock.connect(url)
    while True:
        msg = sock.recv()
        print(f'[Consumer]: receive "{msg}"')


if __name__ == '__main__':
    import sys
    assert len(sys.argv) >= 2
    if sys.argv[1] == 'producer':
        assert len(sys.argv) == 4
        producer(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'consumer':
        assert len(sys.argv) == 3
        consumer(sys.argv[2])
    else:
        print('''Usage:
        python pipeline.py producer <url> <msg>
        python pipeline.py consumer <url>''')
