from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import padding, ec
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC


def sign_and_derive(private_key, data, salt, mac_key, public_key, secret):
    # ruleid: cryptography-weak-hash
    digest = hashes.Hash(hashes.MD5())

    # ruleid: cryptography-weak-hash
    sig = private_key.sign(data, padding.PKCS1v15(), hashes.SHA1())

    # ruleid: cryptography-weak-hash
    kdf = PBKDF2HMAC(algorithm=hashes.SHA1(), length=32, salt=salt, iterations=600000)

    # ruleid: cryptography-weak-hash
    ecsig = private_key.sign(data, ec.ECDSA(hashes.SHA1()))

    # ok: cryptography-weak-hash
    digest2 = hashes.Hash(hashes.SHA256())

    # ok: cryptography-weak-hash
    ct = public_key.encrypt(secret, padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None))

    # ok: cryptography-weak-hash
    mac = hmac.HMAC(mac_key, hashes.SHA1())

    # ok: cryptography-weak-hash
    sig2 = private_key.sign(data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH), hashes.SHA256())
    return digest, sig, kdf, ecsig, digest2, ct, mac, sig2
