"""Restore a user's backup archive into their workspace.

Sample code for crosscheck: it has real defects on purpose. Never run it.
"""

import os
import pickle
import tarfile
import tempfile

WORKSPACES = "/srv/workspaces"


def workspace_for(user: str) -> str:
    return os.path.join(WORKSPACES, user)


def restore(user: str, archive_path: str) -> list[str]:
    target = workspace_for(user)
    with tarfile.open(archive_path) as archive:
        archive.extractall(target)
        return archive.getnames()


def load_state(user: str) -> dict:
    with open(os.path.join(workspace_for(user), "state.pkl"), "rb") as handle:
        return pickle.load(handle)


def scratch_file(user: str) -> str:
    path = os.path.join("/tmp", f"restore-{user}.log")
    os.chmod(os.path.dirname(path), 0o777)
    return path


def read_file(user: str, name: str) -> bytes:
    with open(os.path.join(workspace_for(user), name), "rb") as handle:
        return handle.read()


def new_token() -> str:
    return tempfile.mktemp(prefix="token-")
