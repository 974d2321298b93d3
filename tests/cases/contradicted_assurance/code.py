import hashlib

API_TOKEN = "s3cr3t-t0ken-value"


def fingerprint(data):
    return hashlib.md5(data).hexdigest()
