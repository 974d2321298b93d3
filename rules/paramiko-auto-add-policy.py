import paramiko
from paramiko import AutoAddPolicy, RejectPolicy
from paramiko.client import WarningPolicy


def connect(host, user, key_file):
    client = paramiko.SSHClient()
    # ruleid: paramiko-auto-add-policy
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())

    # ruleid: paramiko-auto-add-policy
    client.set_missing_host_key_policy(AutoAddPolicy)

    # ruleid: paramiko-auto-add-policy
    client.set_missing_host_key_policy(WarningPolicy())

    # ok: paramiko-auto-add-policy
    client.set_missing_host_key_policy(RejectPolicy())

    # ok: paramiko-auto-add-policy
    client.load_system_host_keys()

    # ok: paramiko-auto-add-policy
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(host, username=user, key_filename=key_file)
    return client
