"""Extracts the example scripts of a blog post, byte for byte.

Usage: python3 extract.py POST OUTDIR

Every block the post introduces with a line "文件 `NAME` 如下：" is the
text between the next ``` fence and its closing fence, written unchanged
to OUTDIR/NAME. Prints the names written.
"""
import os
import re
import sys

post, outdir = sys.argv[1], sys.argv[2]
with open(post, 'rb') as f:
    lines = f.read().decode('utf-8').splitlines(keepends=True)
intro = re.compile(r'^文件 `([A-Za-z0-9_.-]+)` 如下：')
i = 0
written = []
while i < len(lines):
    m = intro.match(lines[i])
    i += 1
    if not m:
        continue
    while lines[i].strip() != '```':
        if lines[i].strip():
            sys.exit('%s: text between the intro of %s and its fence' % (post, m[1]))
        i += 1
    i += 1
    start = i
    while lines[i].rstrip('\r\n') != '```':
        i += 1
    with open(os.path.join(outdir, m[1]), 'wb') as out:
        out.write(''.join(lines[start:i]).encode('utf-8'))
    written.append(m[1])
    i += 1
print(' '.join(written))
