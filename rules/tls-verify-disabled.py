import requests
import httpx
import aiohttp


async def fetch(url, payload, ca_bundle):
    # ruleid: tls-verify-disabled
    r = requests.get(url, verify=False, timeout=5)

    # ruleid: tls-verify-disabled
    requests.post(url, json=payload, verify=False)

    s = requests.Session()
    # ruleid: tls-verify-disabled
    s.verify = False

    # ruleid: tls-verify-disabled
    s.get(url, verify=False, timeout=10)

    # ruleid: tls-verify-disabled
    client = httpx.Client(verify=False)

    # ruleid: tls-verify-disabled
    conn = aiohttp.TCPConnector(ssl=False)

    async with aiohttp.ClientSession() as session:
        # ruleid: tls-verify-disabled
        async with session.get(url, ssl=False) as resp:
            pass

    # ok: tls-verify-disabled
    r = requests.get(url, verify=True, timeout=5)

    # ok: tls-verify-disabled
    r = requests.get(url, verify=ca_bundle, timeout=5)

    # ok: tls-verify-disabled
    client = httpx.Client(verify="/etc/ssl/certs/internal-ca.pem")

    # ok: tls-verify-disabled
    s.verify = "/etc/ssl/certs/internal-ca.pem"

    # ok: tls-verify-disabled
    form.validate(verify=False)
    return r, client, conn
