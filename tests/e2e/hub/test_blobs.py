"""HEAD / PUT /v1/blobs/<sha256>: signed, chunked, resumable, verified."""
import hashlib
import os
import socket

import wire

MiB = 1 << 20


def blob_path(hub, sha):
    return os.path.join(hub.data, "blobs", sha)


def cut_put(hub, device, sha, data, start, total):
    """a PUT whose connection drops halfway through the body"""
    rng = "bytes %d-%d/%d" % (start, start + len(data) - 1, total)
    h = device.blob_headers("PUT", sha, data, rng)
    s = socket.create_connection(("127.0.0.1", hub.port), timeout=10)
    head = "PUT /v1/blobs/%s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n" % (sha, len(data))
    head += "".join("%s: %s\r\n" % kv for kv in h.items()) + "\r\n"
    s.sendall(head.encode() + data[:len(data) // 2])
    s.close()


def test_resumable_upload_cut_and_resumed(hub, device):
    data = os.urandom(2 * MiB + 12345)
    sha = hashlib.sha256(data).hexdigest()
    r = device.blob_head(sha)
    assert r.status == 200 and r.headers["x-mo-offset"] == "0"
    assert r.headers["x-mo-complete"] == "0"
    r = device.blob_put(sha, data[:MiB], 0, len(data))
    assert r.status == 200 and r.headers["x-mo-offset"] == str(MiB)
    cut_put(hub, device, sha, data[MiB:2 * MiB], MiB, len(data))
    # the cut chunk left nothing behind: resume from what the hub holds
    for _ in range(50):
        r = device.blob_head(sha)
        if r.headers["x-mo-offset"] == str(MiB):
            break
    assert r.headers["x-mo-offset"] == str(MiB)
    # a chunk at the wrong offset is refused with the offset to use
    r = device.blob_put(sha, data[2 * MiB:], 2 * MiB, len(data))
    assert r.status == 409 and r.headers["x-mo-offset"] == str(MiB)
    off = int(device.blob_head(sha).headers["x-mo-offset"])
    while off < len(data):
        chunk = data[off:off + MiB]
        r = device.blob_put(sha, chunk, off, len(data))
        assert r.status in (200, 201), r
        off += len(chunk)
    assert r.status == 201
    assert open(blob_path(hub, sha), "rb").read() == data
    r = device.blob_head(sha)
    assert r.headers["x-mo-complete"] == "1" and r.headers["x-mo-offset"] == str(len(data))
    again = device.blob_put(sha, data[:MiB], 0, len(data))
    assert again.status == 200 and again.headers["x-mo-complete"] == "1"
    assert not os.path.exists(os.path.join(hub.data, "blobs", "partial", device.id + "." + sha))


def test_wrong_hash_refused_and_discarded(hub, device):
    data = b"scan of a passport page" * 100
    sha = hashlib.sha256(b"something else").hexdigest()
    r = device.blob_put(sha, data, 0, len(data))
    assert (r.status, r.code) == (422, "digest_mismatch")
    assert not os.path.exists(blob_path(hub, sha))
    assert device.blob_head(sha).headers["x-mo-offset"] == "0"


def test_blob_auth(hub, device):
    data = b"x" * 1000
    sha = hashlib.sha256(data).hexdigest()
    stranger = wire.Device(hub.url)
    r = stranger.blob_put(sha, data, 0, len(data))
    assert (r.status, r.code) == (401, "unknown_device")
    assert stranger.blob_head(sha).status == 401
    h = device.blob_headers("PUT", sha, b"other body", "bytes 0-999/1000")
    r = wire.request(hub.url, "PUT", "/v1/blobs/" + sha, data, h)
    assert (r.status, r.code) == (401, "bad_signature")
    r = device.blob_put(sha, data, 0, len(data), t=wire.now_ms() - 25 * 3600 * 1000)
    assert (r.status, r.code) == (400, "clock_skew")
    hub.cli("device", "revoke", device.code)
    r = device.blob_put(sha, data, 0, len(data))
    assert (r.status, r.code) == (403, "device_revoked")
    assert not os.path.exists(blob_path(hub, sha))


def test_chunk_over_cap_413(hub, device):
    data = b"y" * (MiB + 1)
    sha = hashlib.sha256(data).hexdigest()
    rng = "bytes 0-%d/%d" % (len(data) - 1, len(data))
    r = wire.request_headers_only(hub.url, "PUT", "/v1/blobs/" + sha, len(data),
                                  device.blob_headers("PUT", sha, data, rng))
    assert (r.status, r.code) == (413, "too_large")
    # a blob announced past 64 MiB is refused from its Content-Range
    r = device.blob_put(sha, b"z" * 10, 0, (64 << 20) + 1)
    assert (r.status, r.code) == (413, "too_large")
