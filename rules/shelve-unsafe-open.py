import shelve
import dbm
import sqlite3


def load_sessions(path):
    # ruleid: shelve-unsafe-open
    db = shelve.open(path)

    # ruleid: shelve-unsafe-open
    with shelve.open("/var/cache/app/sessions", flag="r") as cache:
        pass

    # ruleid: shelve-unsafe-open
    shelf = shelve.DbfilenameShelf(path, flag="c")

    # ok: shelve-unsafe-open
    raw = dbm.open(path, "r")

    # ok: shelve-unsafe-open
    conn = sqlite3.connect(path)

    # ok: shelve-unsafe-open
    fh = open(path)
    return db, shelf, raw, conn, fh
