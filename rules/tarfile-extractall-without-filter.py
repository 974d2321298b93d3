import tarfile
import zipfile


def unpack(archive, dest):
    with tarfile.open(archive) as tar:
        # ruleid: tarfile-extractall-without-filter
        tar.extractall(dest)

    tf = tarfile.open(archive, "r:gz")
    # ruleid: tarfile-extractall-without-filter
    tf.extractall(path=dest)
    # ruleid: tarfile-extractall-without-filter
    tf.extract("config.yml", dest)

    with tarfile.open(archive) as tar2:
        # ruleid: tarfile-extractall-without-filter
        tar2.extractall(dest, filter="fully_trusted")

    with tarfile.open(archive) as tar3:
        # ok: tarfile-extractall-without-filter
        tar3.extractall(dest, filter="data")

    with tarfile.open(archive) as tar4:
        # ok: tarfile-extractall-without-filter
        tar4.extractall(dest, filter=tarfile.data_filter)

    # ok: tarfile-extractall-without-filter
    zipfile.ZipFile(archive).extractall(dest)
