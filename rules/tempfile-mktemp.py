import os
import tempfile
from tempfile import mktemp


def scratch(data):
    # ruleid: tempfile-mktemp
    path = tempfile.mktemp()

    # ruleid: tempfile-mktemp
    path2 = mktemp(suffix=".json", dir="/var/tmp")

    # ruleid: tempfile-mktemp
    legacy = os.tempnam("/tmp", "app")

    # ok: tempfile-mktemp
    fd, path3 = tempfile.mkstemp(suffix=".json")

    # ok: tempfile-mktemp
    with tempfile.NamedTemporaryFile("w", delete=False) as fh:
        fh.write(data)

    # ok: tempfile-mktemp
    d = tempfile.mkdtemp()

    # ok: tempfile-mktemp
    with tempfile.TemporaryDirectory() as tmpdir:
        pass
    return path, path2, legacy, path3, d
