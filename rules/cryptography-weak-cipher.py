from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.decrepit.ciphers import algorithms as old_algorithms
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def make_cipher(key, iv, nonce):
    # ruleid: cryptography-weak-cipher
    rc4 = Cipher(algorithms.ARC4(key), mode=None)

    # ruleid: cryptography-weak-cipher
    des3 = Cipher(algorithms.TripleDES(key), modes.CBC(iv))

    # ruleid: cryptography-weak-cipher
    bf = Cipher(algorithms.Blowfish(key), modes.CBC(iv))

    # ruleid: cryptography-weak-cipher
    idea = Cipher(algorithms.IDEA(key), modes.CFB(iv))

    # ruleid: cryptography-weak-cipher
    cast = Cipher(old_algorithms.CAST5(key), modes.OFB(iv))

    # ruleid: cryptography-weak-cipher
    seed = Cipher(algorithms.SEED(key), modes.CBC(iv))

    # ok: cryptography-weak-cipher
    aes = Cipher(algorithms.AES(key), modes.GCM(iv))

    # ok: cryptography-weak-cipher
    chacha = Cipher(algorithms.ChaCha20(key, nonce), mode=None)

    # ok: cryptography-weak-cipher
    aead = AESGCM(key)
    return rc4, des3, bf, idea, cast, seed, aes, chacha, aead
