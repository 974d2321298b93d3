import socket
import uvicorn
from http.server import HTTPServer, SimpleHTTPRequestHandler
from flask import Flask

app = Flask(__name__)


def serve():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # ruleid: bind-all-interfaces
    s.bind(("0.0.0.0", 8080))

    s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    # ruleid: bind-all-interfaces
    s6.bind(("::", 8080, 0, 0))

    # ruleid: bind-all-interfaces
    s.bind(("", 9000))

    # ruleid: bind-all-interfaces
    httpd = HTTPServer(("0.0.0.0", 8000), SimpleHTTPRequestHandler)

    # ruleid: bind-all-interfaces
    app.run(host="0.0.0.0", port=5000)

    # ruleid: bind-all-interfaces
    uvicorn.run("main:app", host="0.0.0.0", port=8000)

    # ok: bind-all-interfaces
    s.bind(("127.0.0.1", 8080))

    # ok: bind-all-interfaces
    app.run(host="127.0.0.1")

    # ok: bind-all-interfaces
    s.connect(("0.0.0.0", 8080))

    # ok: bind-all-interfaces
    probe.bind(("", 0))

    # ok: bind-all-interfaces
    uvicorn.run("main:app", host="localhost", port=8000)

    # ok: bind-all-interfaces
    srv = HTTPServer(("127.0.0.1", 8000), SimpleHTTPRequestHandler)

    # ok: bind-all-interfaces
    conn = psycopg2.connect(host="0.0.0.0", dbname="app")

    # ok: bind-all-interfaces
    s.sendto(b"ping", ("0.0.0.0", 9999))
