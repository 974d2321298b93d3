from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from Crypto.Cipher import AES
from Cryptodome.Cipher import AES as AES2


def encrypt(key, iv, nonce, data):
    # ruleid: cipher-ecb-mode
    c = Cipher(algorithms.AES(key), modes.ECB())

    # ruleid: cipher-ecb-mode
    enc = AES.new(key, AES.MODE_ECB)

    # ruleid: cipher-ecb-mode
    enc2 = AES2.new(key, mode=AES2.MODE_ECB)

    # ok: cipher-ecb-mode
    c2 = Cipher(algorithms.AES(key), modes.GCM(iv))

    # ok: cipher-ecb-mode
    enc3 = AES.new(key, AES.MODE_GCM, nonce=nonce)

    # ok: cipher-ecb-mode
    enc4 = AES.new(key, AES.MODE_CBC, iv)
    return c, enc, enc2, c2, enc3, enc4
