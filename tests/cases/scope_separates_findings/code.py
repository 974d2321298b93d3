import hashlib


def legacy_checksum(data):
    return hashlib.md5(data).hexdigest()


def padding_one(x):
    return x


def padding_two(x):
    return x


def token_for(user):
    return hashlib.md5(user.encode()).hexdigest()
