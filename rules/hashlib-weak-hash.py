import hashlib
from hashlib import md5, sha1


def fingerprint(password, data, algo):
    # ruleid: hashlib-weak-hash
    digest = hashlib.md5(password.encode()).hexdigest()

    # ruleid: hashlib-weak-hash
    h = hashlib.sha1()

    # ruleid: hashlib-weak-hash
    sig = md5(data).digest()

    # ruleid: hashlib-weak-hash
    s = sha1(data)

    # ruleid: hashlib-weak-hash
    h2 = hashlib.new("md5", data)

    # ruleid: hashlib-weak-hash
    h3 = hashlib.new('SHA1')

    # ruleid: hashlib-weak-hash
    h4 = hashlib.new(name="md4")

    # ok: hashlib-weak-hash
    etag = hashlib.md5(data, usedforsecurity=False).hexdigest()

    # ok: hashlib-weak-hash
    cache_key = hashlib.new("sha1", data, usedforsecurity=False)

    # ok: hashlib-weak-hash
    good = hashlib.sha256(data).hexdigest()

    # ok: hashlib-weak-hash
    h5 = hashlib.new("sha512", data)

    # ok: hashlib-weak-hash
    b = hashlib.blake2b(data, digest_size=32)

    # ok: hashlib-weak-hash
    h6 = hashlib.new("sha1_like_but_not", data)
    return digest, h, sig, s, h2, h3, h4, etag, cache_key, good, h5, b, h6
