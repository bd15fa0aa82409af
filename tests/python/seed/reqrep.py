import nnpy


def server(url):
    sock = nnpy.Socket(nnpy.AF_SP, nnpy.REP)
    sock.bind(url)
    while True:
        msg = sock.recv()
        print(f'[Server]: received "{msg}"')
        sock.send(msg)
        print(f'[Server]: sent "{msg}"')


def client(url, msg):
    sock = nnpy.Socket(nnpy.AF_SP, nnpy.REQ)
    sock.connect(url)
    print(f'[Client]: send "{msg}"')
    sock.send(msg)
    msg = sock.recv()
    print(f'[Client]: received "{msg}"')


if __name__ == '__main__':
    import sys
    assert len(sys.argv) >= 2
    if sys.argv[1] == 'server':
        assert len(sys.argv) == 3
        server(sys.argv[2])
    elif sys.argv[1] == 'client':
        assert len(sys.argv) == 4
        client(sys.argv[2], sys.argv[3])
    else:
        print('''Usage:
        python reqrep.py server <url>
        python reqrep.py client <url> <msg>''')
