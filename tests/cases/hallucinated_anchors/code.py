import os


def read_config(base, name):
    path = os.path.join(base, name)
    with open(path, encoding="utf-8") as handle:
        return handle.read()
