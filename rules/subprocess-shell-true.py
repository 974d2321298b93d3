import subprocess
import subprocess as sp
from subprocess import Popen, check_output


def handler(user_input, cmd_args):
    # ruleid: subprocess-shell-true
    subprocess.run("grep " + user_input + " /var/log/app.log", shell=True)

    # ruleid: subprocess-shell-true
    subprocess.call(f"ls {user_input}", shell=True, cwd="/srv")

    # ruleid: subprocess-shell-true
    sp.check_call("tar xzf %s" % user_input, shell=True)

    # ruleid: subprocess-shell-true
    Popen(user_input, stdout=subprocess.PIPE, shell=True)

    # ruleid: subprocess-shell-true
    out = check_output(user_input, shell=1)

    # ruleid: subprocess-shell-true
    status, out = subprocess.getstatusoutput("ping -c1 " + user_input)

    # ruleid: subprocess-shell-true
    out = subprocess.getoutput(user_input)

    # ok: subprocess-shell-true
    subprocess.run(cmd_args, shell=False)

    # ok: subprocess-shell-true
    subprocess.run(["grep", user_input, "/var/log/app.log"], check=True)

    # ok: subprocess-shell-true
    subprocess.Popen(["ls", "-l", user_input], shell=None)

    # ok: subprocess-shell-true
    check_output(["git", "rev-parse", "HEAD"])

    # ok: subprocess-shell-true
    other_module.run(user_input, shell=True)
