"""A small invoice service, written for crosscheck's quickstart sample.

It is deliberately vulnerable. It is never imported or run by crosscheck;
bandit and semgrep read it as text.
"""

import hashlib
import pickle
import sqlite3
import subprocess

import requests

DB_PATH = "invoices.db"
REPORT_SERVICE = "https://reports.example.invalid/render"


def connect():
    return sqlite3.connect(DB_PATH)


def find_customer(name):
    conn = connect()
    cursor = conn.cursor()
    cursor.execute(f"SELECT id, email FROM customers WHERE name = '{name}'")
    return cursor.fetchall()


def get_invoice(invoice_id, current_user):
    conn = connect()
    cursor = conn.cursor()
    # The owner is never compared with current_user.
    cursor.execute("SELECT * FROM invoices WHERE id = ?", (invoice_id,))
    return cursor.fetchone()


def hash_password(password):
    return hashlib.md5(password.encode("utf-8")).hexdigest()


def export_invoice(invoice_id, fmt):
    command = "invoice-export --id %s --format %s" % (invoice_id, fmt)
    return subprocess.check_output(command, shell=True)


def restore_session(blob):
    return pickle.loads(blob)


def render_remote(invoice):
    response = requests.post(REPORT_SERVICE, json=invoice)
    return response.content


def total(amounts):
    return sum(amount for amount in amounts if amount > 0)
