import os


def run(cmd, host):
    # ruleid: os-exec-spawn-shell
    os.execl("/bin/sh", "sh", "-c", cmd)

    # ruleid: os-exec-spawn-shell
    os.execlp("bash", "bash", "-c", "ping -c1 " + host)

    # ruleid: os-exec-spawn-shell
    os.spawnl(os.P_WAIT, "/bin/sh", "sh", "-c", f"nslookup {host}")

    # ruleid: os-exec-spawn-shell
    os.execv("/bin/sh", ["sh", "-c", cmd])

    # ruleid: os-exec-spawn-shell
    os.spawnvpe(os.P_NOWAIT, "sh", ["sh", "-c", cmd], os.environ)

    # ok: os-exec-spawn-shell
    os.execl("/bin/sh", "sh", "-c", "exec /usr/bin/true")

    # ok: os-exec-spawn-shell
    os.execv("/usr/bin/ping", ["ping", "-c", "1", host])

    # ok: os-exec-spawn-shell
    os.spawnlp(os.P_WAIT, "nslookup", "nslookup", host)
