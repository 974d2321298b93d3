import requests
from requests import get as http_get


def sync(url, payload, opts):
    # ruleid: requests-missing-timeout
    r = requests.get(url)

    # ruleid: requests-missing-timeout
    requests.post(url, json=payload, headers={"X-Api": "1"})

    # ruleid: requests-missing-timeout
    requests.request("DELETE", url)

    # ruleid: requests-missing-timeout
    requests.put(url, data=payload, timeout=None)

    # ruleid: requests-missing-timeout
    r2 = http_get(url)

    s = requests.Session()
    # ruleid: requests-missing-timeout
    s.get(url)

    with requests.Session() as sess:
        # ruleid: requests-missing-timeout
        sess.patch(url, json=payload)
        # ok: requests-missing-timeout
        sess.patch(url, json=payload, timeout=15)

    # ok: requests-missing-timeout
    r = requests.get(url, timeout=5)

    # ok: requests-missing-timeout
    requests.post(url, json=payload, timeout=(3.05, 27))

    # ok: requests-missing-timeout
    requests.get(url, **opts)

    # ok: requests-missing-timeout
    s.get(url, timeout=10)

    # ok: requests-missing-timeout
    value = payload.get("key")

    # ok: requests-missing-timeout
    adapter = requests.adapters.HTTPAdapter(max_retries=3)
    return r, r2, value, adapter
