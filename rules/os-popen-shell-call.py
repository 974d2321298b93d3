import os
import popen2
import commands
import subprocess


def disk_usage(path):
    # ruleid: os-popen-shell-call
    out = os.popen("du -sh " + path).read()

    # ruleid: os-popen-shell-call
    stdin, stdout = os.popen2("cat %s" % path)

    # ruleid: os-popen-shell-call
    child = popen2.Popen3("sort " + path)

    # ruleid: os-popen-shell-call
    r, w, e = popen2.popen3(path)

    # ruleid: os-popen-shell-call
    text = commands.getoutput("file " + path)

    # ok: os-popen-shell-call
    out = subprocess.run(["du", "-sh", path], capture_output=True, text=True).stdout

    # ok: os-popen-shell-call
    proc = subprocess.Popen(["sort", path], stdout=subprocess.PIPE)

    # ok: os-popen-shell-call
    fh = os.open(path, os.O_RDONLY)

    # ok: os-popen-shell-call
    browser.popen("about:blank")
    return out
