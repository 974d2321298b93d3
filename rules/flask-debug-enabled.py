import os
from flask import Flask
from werkzeug.serving import run_simple

app = Flask(__name__)

# ruleid: flask-debug-enabled
app.debug = True

# ruleid: flask-debug-enabled
app.config["DEBUG"] = True

# ruleid: flask-debug-enabled
app.config.update(DEBUG=True, SECRET_KEY=os.environ["SECRET_KEY"])

# ok: flask-debug-enabled
app.config["DEBUG"] = False


class Parser:
    def enable(self):
        # ok: flask-debug-enabled
        self.debug = True

# ok: flask-debug-enabled
app.debug = os.environ.get("FLASK_DEBUG") == "1"

if __name__ == "__main__":
    # ruleid: flask-debug-enabled
    app.run(debug=True)

    # ruleid: flask-debug-enabled
    app.run(host="127.0.0.1", port=5000, debug=True)

    # ruleid: flask-debug-enabled
    run_simple("localhost", 5000, app, use_debugger=True, use_reloader=True)

    # ok: flask-debug-enabled
    app.run(debug=False)

    # ok: flask-debug-enabled
    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")

    # ok: flask-debug-enabled
    app.run(host="127.0.0.1", port=5000)
