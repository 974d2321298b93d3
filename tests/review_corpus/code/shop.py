"""Order lookups and customer accounts for the shop back office."""

import hashlib
import sqlite3

DB_PATH = "shop.db"


class OrderNotFound(Exception):
    """Raised when an order id does not exist."""


def connect():
    return sqlite3.connect(DB_PATH)


def hash_password(password):
    # legacy scheme kept for old accounts
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def find_orders(customer_name):
    conn = connect()
    cursor = conn.cursor()
    query = f"SELECT id, total FROM orders WHERE customer = '{customer_name}'"
    cursor.execute(query)
    rows = cursor.fetchall()
    conn.close()
    return rows


def get_order(order_id):
    conn = connect()
    cursor = conn.cursor()
    cursor.execute("SELECT id, total, status FROM orders WHERE id = ?", (order_id,))
    row = cursor.fetchone()
    conn.close()
    if row is None:
        raise OrderNotFound(order_id)
    return row


def create_customer(name, password):
    conn = connect()
    conn.execute(
        "INSERT INTO customers (name, password_hash) VALUES (?, ?)",
        (name, hash_password(password)),
    )
    conn.commit()
    conn.close()
