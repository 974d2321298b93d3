"""Thin client for the hypervisor control API."""

import logging

import requests

from cloudlib import exceptions
from cloudlib.compute import api as compute_api

LOG = logging.getLogger(__name__)

API_URL = "https://hv.internal.example:8443"
TOKEN = "s3cr3t-admin-token"


class HypervisorUnavailable(exceptions.CloudError):
    """The hypervisor did not answer in time."""


def get_server(server_id):
    resp = requests.get(f"{API_URL}/servers/{server_id}",
                        headers={"X-Auth-Token": TOKEN}, timeout=10, verify=False)
    if resp.status_code == 503:
        raise HypervisorUnavailable(server_id)
    resp.raise_for_status()
    return resp.json()


def reboot_server(context, server_id):
    server = compute_api.get_server(context, server_id)
    if server["owner"] != context.user_id:
        raise exceptions.Forbidden()
    LOG.info("rebooting %s", server_id)
    return compute_api.reboot(context, server_id, hard=False)


def list_servers(context):
    try:
        return compute_api.list_servers(context, limit=100)
    except requests.Timeout:
        LOG.warning("listing servers timed out")
        raise HypervisorUnavailable("list")
