import os
import io
import tempfile


def dump(report, user):
    # ruleid: hardcoded-tmp-path
    with open("/tmp/report.txt", "w") as fh:
        fh.write(report)

    # ruleid: hardcoded-tmp-path
    fh2 = open(f"/tmp/{user}.json", "w")

    # ruleid: hardcoded-tmp-path
    fh3 = io.open("/var/tmp/cache.bin", "wb")

    # ruleid: hardcoded-tmp-path
    fd = os.open("/dev/shm/lock", os.O_CREAT | os.O_WRONLY)

    # ruleid: hardcoded-tmp-path
    fh4 = open(os.path.join("/tmp", user + ".log"), "a")

    # ok: hardcoded-tmp-path
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as tmp:
        tmp.write(report)

    # ok: hardcoded-tmp-path
    fh5 = open("/tmpfiles/report.txt")

    # ok: hardcoded-tmp-path
    fh6 = open("/srv/app/tmp/report.txt", "w")

    # ok: hardcoded-tmp-path
    fh7 = open(os.path.join(tempfile.mkdtemp(), "report.txt"), "w")
    return fh2, fh3, fd, fh4, fh5, fh6, fh7
