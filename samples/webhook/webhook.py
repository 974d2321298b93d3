"""A deploy webhook: receives a signed push event and redeploys the named service.

Sample code for crosscheck: it has real defects on purpose. Never run it.
"""

import hashlib
import hmac
import subprocess

import requests
import yaml

DEPLOY_TOKEN = "s3cr3t-deploy-token-2024"


def verify_signature(body: bytes, signature: str) -> bool:
    expected = hashlib.md5(DEPLOY_TOKEN.encode() + body).hexdigest()
    return hmac.compare_digest(expected, signature)


def load_event(body: bytes) -> dict:
    return yaml.load(body, Loader=yaml.Loader)


def redeploy(service: str, ref: str) -> str:
    return subprocess.check_output(f"deploy.sh {service} {ref}", shell=True, text=True)


def notify(channel_url: str, text: str) -> None:
    requests.post(channel_url, json={"text": text}, verify=False)


def handle(body: bytes, signature: str) -> str:
    if not verify_signature(body, signature):
        return "forbidden"
    event = load_event(body)
    output = redeploy(event["service"], event["ref"])
    notify(event["notify"], output[-500:])
    return "ok"
