from Crypto.Cipher import DES, DES3, ARC4, Blowfish, AES, ChaCha20_Poly1305
from Cryptodome.Cipher import ARC2
import Crypto.Cipher.CAST


def legacy(key, iv):
    # ruleid: pycryptodome-weak-cipher
    d = DES.new(key, DES.MODE_CBC, iv)

    # ruleid: pycryptodome-weak-cipher
    d3 = DES3.new(key, DES3.MODE_CBC, iv)

    # ruleid: pycryptodome-weak-cipher
    rc4 = ARC4.new(key)

    # ruleid: pycryptodome-weak-cipher
    bf = Blowfish.new(key, Blowfish.MODE_CBC, iv)

    # ruleid: pycryptodome-weak-cipher
    rc2 = ARC2.new(key, ARC2.MODE_CFB, iv)

    # ruleid: pycryptodome-weak-cipher
    cast = Crypto.Cipher.CAST.new(key, Crypto.Cipher.CAST.MODE_OFB, iv)

    # ok: pycryptodome-weak-cipher
    aes = AES.new(key, AES.MODE_GCM)

    # ok: pycryptodome-weak-cipher
    chacha = ChaCha20_Poly1305.new(key=key)

    # ok: pycryptodome-weak-cipher
    other = myproject.DES.new(key)
    return d, d3, rc4, bf, rc2, cast, aes, chacha, other
