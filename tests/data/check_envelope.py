#!/usr/bin/env python3
"""check_envelope.py — check the golden envelopes against DESIGN.md §4 with an
implementation written from the text alone (Python zlib + cryptography),
independent of proto/envelope.c:

    /usr/bin/python3 tests/data/check_envelope.py

Exits non-zero on any disagreement."""
import hashlib
import json
import os
import struct
import sys
import zlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def dicts():
    d = {}
    ddir = os.path.join(ROOT, 'proto', 'dict')
    for name in os.listdir(ddir):
        if name.endswith('.bin'):
            data = open(os.path.join(ddir, name), 'rb').read()
            d[zlib.adler32(data)] = data
    return d


def check(name, key, expect):
    b = open(os.path.join(HERE, 'envelope-%s.bin' % name), 'rb').read()
    assert b[:4] == b'MOB1' and b[4] == 1 and b[5] in (1, 2, 3)
    (h,) = struct.unpack('>H', b[6:8])
    hdr = json.loads(b[8:8 + h].decode('utf-8'))
    (p,) = struct.unpack('>I', b[8 + h:12 + h])
    assert len(b) == 12 + h + p + 64
    payload, sig = b[12 + h:12 + h + p], b[12 + h + p:]
    pub = key.public_key()
    pub.verify(sig, b'mobile-office/v1\x00' + b[:12 + h + p])
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert hdr['device'] == hashlib.sha256(raw).hexdigest()[:32]
    assert sig.hex() == expect[0], 'signature'
    assert hashlib.sha256(b).hexdigest() == expect[1], 'hash'
    if b[5] == 3:
        assert p == 0 and 'seq' not in hdr and 'raw' not in hdr
    else:
        if payload[1] & 0x20:
            (dictid,) = struct.unpack('>I', payload[2:6])
            z = zlib.decompressobj(zdict=dicts()[dictid])
        else:
            z = zlib.decompressobj()
        data = z.decompress(payload) + z.flush()
        assert z.eof and not z.unused_data
        assert len(data) == hdr['raw']
        assert hashlib.sha256(data).hexdigest() == hdr['sha256']
        json.loads(data.decode('utf-8'))
    print('%s: ok (%d bytes, kind %d, header %d, payload %d)' % (name, len(b), b[5], h, p))


def main():
    key = serialization.load_pem_private_key(
        open(os.path.join(HERE, 'envelope-key.pem'), 'rb').read(), None)
    assert isinstance(key, Ed25519PrivateKey)
    expect = {}
    for line in open(os.path.join(HERE, 'envelope-golden.txt')):
        if line.strip() and not line.startswith('#'):
            n, s, h = line.split()
            expect[n] = (s, h)
    for name in ('upload', 'pull', 'response'):
        check(name, key, expect[name])


if __name__ == '__main__':
    sys.exit(main())
