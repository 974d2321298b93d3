import random
import secrets
import string

ALPHABET = string.ascii_letters + string.digits


def issue_reset(user):
    # ruleid: insecure-random-for-secret
    reset_token = "".join(random.choice(ALPHABET) for _ in range(32))

    # ruleid: insecure-random-for-secret
    user.api_key = "%032x" % random.getrandbits(128)

    # ruleid: insecure-random-for-secret
    otp = random.randint(100000, 999999)

    # ruleid: insecure-random-for-secret
    session["csrf_token"] = str(random.random())

    # ruleid: insecure-random-for-secret
    salt = random.randbytes(16)

    # ruleid: insecure-random-for-secret
    send_mail(user, password=random.choice(["a", "b"]) + str(random.randint(0, 9)))
    return reset_token, otp, salt


def generate_password(length=12):
    chars = []
    for _ in range(length):
        # ruleid: insecure-random-for-secret
        chars.append(random.choice(ALPHABET))
    return "".join(chars)


def make_session_id():
    # ruleid: insecure-random-for-secret
    return hex(random.getrandbits(64))


def retry_delay(attempt):
    # ok: insecure-random-for-secret
    jitter = random.uniform(0, 1)
    return 2 ** attempt + jitter


def pick_winner(entries):
    # ok: insecure-random-for-secret
    winner = random.choice(entries)
    # ok: insecure-random-for-secret
    random.shuffle(entries)
    return winner


def safe_token():
    # ok: insecure-random-for-secret
    token = secrets.token_urlsafe(32)
    # ok: insecure-random-for-secret
    pin = "".join(secrets.choice(string.digits) for _ in range(6))
    # ok: insecure-random-for-secret
    key = random.SystemRandom().getrandbits(128)
    return token, pin, key


def sample_rows(rows):
    # ok: insecure-random-for-secret
    monkey = random.choice(rows)
    # ok: insecure-random-for-secret
    sort_keys = random.sample(rows, 3)
    return monkey, sort_keys


def shard(rows):
    # ok: insecure-random-for-secret
    key_index = random.randint(0, len(rows) - 1)
    # ruleid: insecure-random-for-secret
    token_hex = "%x" % random.getrandbits(64)
    return key_index, token_hex
