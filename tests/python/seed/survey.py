import time
import nnpy


def surveyor(url):
    sock = nnpy.Socket(nnpy.AF_SP, nnpy.SURVEYOR)
    sock.bind(url)
    time.sleep(1)
    msg = str(time.time())
    print(f'[Surveyor] request {msg}')
    sock.send(msg)
    while True:
        try:
            msg = sock.recv()
            print(f'[Surveyor] receive {msg}')
        except nnpy.errors.NNError:
            break


def respondent(url, name):
    sock = nnpy.Socket(nnpy.AF_SP, nnpy.RESPONDENT)
    sock.connect(url)

    while True:
        msg = sock.recv()
        print(f'[{name}] received {msg}')
        print(f'[{name}] response {msg}')
        sock.send(msg)


if __name__ == '__main__':
    import sys
    assert len(sys.argv) == 3
    if sys.argv[1] == 'surveyor':
        surveyor(sys.argv[2])
    elif sys.argv[1].startswith('respondent'):
        respondent(sys.argv[2], sys.argv[1])
    else:
        print('''Usage:
        python survey.py surveyor <url>
        python survey.py respondent<n> <url>''')
