import sqlalchemy
from sqlalchemy import text
from sqlalchemy.sql import text as sql_text


def search(session, engine, term, order_col):
    # ruleid: sqlalchemy-text-string-formatting
    rows = session.execute(text(f"SELECT * FROM items WHERE name = '{term}'"))

    # ruleid: sqlalchemy-text-string-formatting
    stmt = sqlalchemy.text("SELECT * FROM items ORDER BY %s" % order_col)

    # ruleid: sqlalchemy-text-string-formatting
    stmt = sql_text("SELECT * FROM items WHERE name LIKE '" + term + "'")

    raw = "DELETE FROM items WHERE owner = '{}'".format(term)
    with engine.connect() as conn:
        # ruleid: sqlalchemy-text-string-formatting
        conn.execute(text(raw))

    # ok: sqlalchemy-text-string-formatting
    rows = session.execute(text("SELECT * FROM items WHERE name = :name"), {"name": term})

    # ok: sqlalchemy-text-string-formatting
    stmt = text("SELECT * FROM items WHERE name = :name").bindparams(name=term)

    # ok: sqlalchemy-text-string-formatting
    stmt = text("SELECT * FROM items " "ORDER BY id")

    # ok: sqlalchemy-text-string-formatting
    label = text_label("Results for %s" % term)
    return rows, stmt, label
