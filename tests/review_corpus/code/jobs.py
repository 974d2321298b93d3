"""Background job runner: archives reports and replays queued tasks."""

import logging
import os
import pickle
import subprocess

log = logging.getLogger(__name__)

ARCHIVE_DIR = "/var/lib/reports"


def archive_report(report_name):
    target = os.path.join(ARCHIVE_DIR, report_name + ".tar.gz")
    cmd = "tar czf " + target + " " + report_name
    subprocess.run(cmd, shell=True, check=True)
    return target


def disk_usage(path):
    result = subprocess.run(["du", "-sh", path], capture_output=True, text=True, check=False)
    return result.stdout.strip()


def load_task(blob):
    task = pickle.loads(blob)
    log.info("loaded task %s", task.get("name"))
    return task


def replay(queue):
    done = 0
    for blob in queue:
        task = load_task(blob)
        try:
            handler = HANDLERS[task["kind"]]
        except KeyError:
            log.warning("unknown task kind %r", task["kind"])
            continue
        handler(task)
        done += 1
    return done


def _cleanup(task):
    os.remove(task["path"])


HANDLERS = {"cleanup": _cleanup, "archive": lambda t: archive_report(t["report"])}
