import os
from os import system as run_shell
import subprocess


def backup(path, name):
    # ruleid: os-system-call
    os.system("tar czf /backups/%s.tgz %s" % (name, path))

    # ruleid: os-system-call
    os.system(f"rm -rf {path}")

    # ruleid: os-system-call
    rc = run_shell("chmod 600 " + path)

    # ruleid: os-system-call
    os.system(name)

    # ok: os-system-call
    subprocess.run(["tar", "czf", "/backups/" + name + ".tgz", path], check=True)

    # ok: os-system-call
    platform_info.system()

    # ok: os-system-call
    os.getenv("SYSTEM")
