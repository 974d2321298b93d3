import subprocess


def delete_account(accounts, account_id, requester):
    # subprocess.call("rm -rf /data/" + account_id, shell=True)
    accounts.pop(account_id)
    return True
