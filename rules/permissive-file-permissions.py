import os
import stat
from pathlib import Path


def install(path, key_path, fd):
    # ruleid: permissive-file-permissions
    os.chmod(path, 0o777)

    # ruleid: permissive-file-permissions
    os.chmod(key_path, 0o666)

    # ruleid: permissive-file-permissions
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IWOTH)

    # ruleid: permissive-file-permissions
    os.makedirs("/srv/app/shared", 0o775, exist_ok=True)

    # ruleid: permissive-file-permissions
    os.mkdir(path, mode=0o777)

    # ruleid: permissive-file-permissions
    fd2 = os.open(path, os.O_WRONLY | os.O_CREAT, 0o666)

    # ruleid: permissive-file-permissions
    Path(path).chmod(0o777)

    # ruleid: permissive-file-permissions
    os.fchmod(fd, stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO)

    # ruleid: permissive-file-permissions
    os.chmod(path, 511)

    # ok: permissive-file-permissions
    os.chmod(key_path, 0o600)

    # ok: permissive-file-permissions
    os.chmod(path, 0o755)

    # ok: permissive-file-permissions
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)

    # ok: permissive-file-permissions
    os.makedirs(path, 0o700, exist_ok=True)

    # ok: permissive-file-permissions
    fd3 = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)

    # ok: permissive-file-permissions
    os.makedirs(path, exist_ok=True)

    # ok: permissive-file-permissions
    os.chmod(path, 0o644)

    umask = os.umask(0)
    os.umask(umask)
    # ok: permissive-file-permissions
    os.chmod(path, 0o777 & ~umask)

    p = Path(path)
    # ruleid: permissive-file-permissions
    p.mkdir(parents=True, mode=0o777)

    # ok: permissive-file-permissions
    p.mkdir(parents=True, exist_ok=True)

    # ok: permissive-file-permissions
    p.touch(mode=0o600)
    return fd2, fd3
