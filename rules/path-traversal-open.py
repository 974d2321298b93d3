import os
import pathlib
from flask import Flask, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
BASE = "/srv/app/uploads"


@app.route("/download")
def download():
    name = request.args.get("file")
    # ruleid: path-traversal-open
    with open(os.path.join(BASE, name), "rb") as fh:
        return fh.read()


@app.route("/report", methods=["POST"])
def report():
    # ruleid: path-traversal-open
    fh = open(BASE + "/" + request.form["report"])
    return fh.read()


@app.route("/files/<path:filename>")
def files(filename):
    full = os.path.join(BASE, filename)
    # ruleid: path-traversal-open
    return send_file(full)


@app.route("/notes/<note_id>")
def note(note_id):
    # ruleid: path-traversal-open
    text = pathlib.Path(BASE, note_id).read_text()
    return text


@app.route("/upload", methods=["POST"])
def upload():
    f = request.files["doc"]
    # ruleid: path-traversal-open
    with open(os.path.join(BASE, f.filename), "wb") as out:
        out.write(f.read())
    return "ok"


@app.route("/safe-download")
def safe_download():
    name = secure_filename(request.args.get("file", ""))
    # ok: path-traversal-open
    with open(os.path.join(BASE, name), "rb") as fh:
        return fh.read()


@app.route("/safe-base")
def safe_base():
    name = os.path.basename(request.args["file"])
    # ok: path-traversal-open
    return open(os.path.join(BASE, name)).read()


@app.route("/static-file/<path:filename>")
def static_file(filename):
    # ok: path-traversal-open
    return send_from_directory(BASE, filename)


@app.route("/config")
def config():
    # ok: path-traversal-open
    with open(os.path.join(BASE, "config.json")) as fh:
        return fh.read()


def read_template(name):
    # ok: path-traversal-open
    return open(os.path.join("/srv/templates", name)).read()
