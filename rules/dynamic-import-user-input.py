import importlib
from flask import Flask, request

app = Flask(__name__)

PLUGINS = {"csv": "app.exporters.csv", "json": "app.exporters.json"}


@app.route("/export")
def export():
    fmt = request.args.get("format", "csv")
    # ruleid: dynamic-import-user-input
    mod = importlib.import_module(fmt)
    return mod.run()


@app.route("/plugin", methods=["POST"])
def plugin():
    # ruleid: dynamic-import-user-input
    mod = __import__("app.plugins." + request.form["name"], fromlist=["run"])
    return mod.run()


@app.route("/render/<renderer>")
def render(renderer):
    # ruleid: dynamic-import-user-input
    mod = importlib.import_module("app.renderers.%s" % renderer)
    return mod.render()


@app.route("/export-safe")
def export_safe():
    fmt = request.args.get("format", "csv")
    # ok: dynamic-import-user-input
    mod = importlib.import_module(PLUGINS[fmt])
    # ok: dynamic-import-user-input
    mod2 = importlib.import_module(PLUGINS.get(fmt, "app.exporters.csv"))
    # ok: dynamic-import-user-input
    json_mod = importlib.import_module("json")
    return mod.run(fmt), mod2, json_mod


def load_backend(settings):
    # ok: dynamic-import-user-input
    return importlib.import_module(settings.BACKEND)
