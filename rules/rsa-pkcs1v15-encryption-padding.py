from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from Crypto.Cipher import PKCS1_v1_5, PKCS1_OAEP
from Crypto.Signature import pkcs1_15
from Crypto.Signature import PKCS1_v1_5 as PKCS1_v1_5_sig


def wrap_key(public_key, private_key, session_key, blob, data, sig, rsa_key):
    # ruleid: rsa-pkcs1v15-encryption-padding
    ct = public_key.encrypt(session_key, padding.PKCS1v15())

    # ruleid: rsa-pkcs1v15-encryption-padding
    pt = private_key.decrypt(blob, padding.PKCS1v15())

    pad = padding.PKCS1v15()
    # ruleid: rsa-pkcs1v15-encryption-padding
    ct2 = public_key.encrypt(session_key, pad)

    # ruleid: rsa-pkcs1v15-encryption-padding
    cipher = PKCS1_v1_5.new(rsa_key)

    # ok: rsa-pkcs1v15-encryption-padding
    ct3 = public_key.encrypt(session_key, padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None))

    # ok: rsa-pkcs1v15-encryption-padding
    signature = private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    # ok: rsa-pkcs1v15-encryption-padding
    public_key.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())

    # ok: rsa-pkcs1v15-encryption-padding
    cipher2 = PKCS1_OAEP.new(rsa_key)

    # ok: rsa-pkcs1v15-encryption-padding
    signer = PKCS1_v1_5_sig.new(rsa_key)

    # ok: rsa-pkcs1v15-encryption-padding
    signer2 = pkcs1_15.new(rsa_key)
    return ct, pt, ct2, cipher, ct3, signature, cipher2, signer, signer2
