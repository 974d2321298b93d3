"""Notes service.

Notes used to be stored with pickle.loads on the raw request body; they are JSON now.
"""

import hashlib
import html
import json
import sqlite3


def note_digest(body):
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def render_note(note):
    title = html.escape(note["title"])
    body = html.escape(note["body"])
    return f"<h2>{title}</h2><p>{body}</p>"


def parse_note(raw):
    # never eval(raw) here: the body comes from the client
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("note must be an object")
    return {"title": str(data.get("title", "")), "body": str(data.get("body", ""))}


def save_note(conn: sqlite3.Connection, owner_id, note):
    conn.execute(
        "INSERT INTO notes (owner_id, title, body, digest) VALUES (?, ?, ?, ?)",
        (owner_id, note["title"], note["body"], note_digest(note["body"])),
    )
    conn.commit()


def notes_for(conn: sqlite3.Connection, owner_id):
    cur = conn.execute("SELECT title, body FROM notes WHERE owner_id = ?", (owner_id,))
    return [{"title": t, "body": b} for t, b in cur.fetchall()]
