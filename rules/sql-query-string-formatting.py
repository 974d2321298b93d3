import sqlite3
import pandas as pd


def find_user(conn, name, user_id, table):
    cur = conn.cursor()
    # ruleid: sql-query-string-formatting
    cur.execute("SELECT * FROM users WHERE name = '%s'" % name)

    # ruleid: sql-query-string-formatting
    cur.execute("SELECT * FROM users WHERE id = {}".format(user_id))

    # ruleid: sql-query-string-formatting
    cur.execute(f"DELETE FROM sessions WHERE user = '{name}'")

    # ruleid: sql-query-string-formatting
    cur.execute("SELECT * FROM users WHERE name = '" + name + "'")

    query = "UPDATE users SET last_seen = now() WHERE name = '%s'" % name
    # ruleid: sql-query-string-formatting
    cur.execute(query)

    sql = f"INSERT INTO {table} VALUES (?, ?)"
    # ruleid: sql-query-string-formatting
    cur.executemany(sql, [(1, 2), (3, 4)])

    # ruleid: sql-query-string-formatting
    frame = pd.read_sql("SELECT * FROM orders WHERE owner = '%s'" % name, conn)

    # ruleid: sql-query-string-formatting
    User.objects.raw("SELECT * FROM auth_user WHERE username = '%s'" % name)

    # ok: sql-query-string-formatting
    cur.execute("SELECT * FROM users WHERE name = %s", (name,))

    # ok: sql-query-string-formatting
    cur.execute("SELECT * FROM users WHERE name = ?", [name])

    # ok: sql-query-string-formatting
    cur.execute("SELECT * FROM users " + "ORDER BY name")

    safe = "SELECT id FROM users WHERE name = :name"
    # ok: sql-query-string-formatting
    cur.execute(safe, {"name": name})

    # ok: sql-query-string-formatting
    cur.execute("SELECT * FROM logs WHERE msg LIKE %s", ("%" + name + "%",))

    # ok: sql-query-string-formatting
    print("executed %s" % name)

    deps = [f"-c{name}"]
    # ok: sql-query-string-formatting
    env.execute(build_cmd(deps), run_id=f"install_{table}")

    # ruleid: sql-query-string-formatting
    cur.execute("PRAGMA key='%s'" % name)
    return cur.fetchall(), frame
