import time
import nnpy


def publisher(url):
    sock = nnpy.Socket(nnpy.AF_SP, nnpy.PUB)
    sock.bind(url)
    while True:
        msg = str(time.time())
        print(f'[Publisher] publish {msg}')
        sock.send(msg)
        time.sleep(1)


def subscriber(url, name):
    sock = nnpy.Socket(nnpy.AF_SP, nnpy.SUB)
    sock.setsockopt(nnpy.SUB, nnpy.SUB_SUBSCRIBE, "")
    sock.connect(url)

    while True:
        msg = sock.recv()
        print(f'[{name}] received {msg}')


if __name__ == '__main__':
    import sys
    assert len(sys.argv) == 3
    if sys.argv[1] == 'publisher':
        publisher(sys.argv[2])
    elif sys.argv[1].startswith('subscriber'):
        subscriber(sys.argv[2], sys.argv[1])
    else:
        print('''Usage:
        python pubsub.py publisher <url>
        python pubsub.py subscriber<n> <url>''')
