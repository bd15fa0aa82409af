import time
import nnpy


def node(url, name, *other_urls):
    sock = nnpy.Socket(nnpy.AF_SP, nnpy.BUS)
    sock.bind(url)
    for url in other_urls:
        sock.connect(url)
    time.sleep(5)
    sock.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO, 5000)
    print(f'[{name}] send {name} onto bus')
    sock.send(name)
    while True:
        try:
            msg = sock.recv()
            print(f'[{name}] receive {msg} from bus')
        except nnpy.errors.NNError:
            break


if __name__ == '__main__':
    import sys
    assert len(sys.argv) >= 4
    if sys.argv[1].startswith('node'):
        node(sys.argv[2], sys.argv[1], *sys.argv[3:])
    else:
        print('''Usage:
        python bus.py node<n> <url> <url>...''')
