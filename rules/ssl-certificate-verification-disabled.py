import ssl
import urllib.request
import urllib3


def open_url(url, host, sock):
    # ruleid: ssl-certificate-verification-disabled
    ctx = ssl._create_unverified_context()

    # ruleid: ssl-certificate-verification-disabled
    ssl._create_default_https_context = ssl._create_unverified_context

    ctx2 = ssl.create_default_context()
    # ruleid: ssl-certificate-verification-disabled
    ctx2.check_hostname = False
    # ruleid: ssl-certificate-verification-disabled
    ctx2.verify_mode = ssl.CERT_NONE

    # ruleid: ssl-certificate-verification-disabled
    wrapped = ssl.wrap_socket(sock, cert_reqs=ssl.CERT_NONE)

    # ruleid: ssl-certificate-verification-disabled
    pool = urllib3.PoolManager(cert_reqs="CERT_NONE")

    # ok: ssl-certificate-verification-disabled
    ctx3 = ssl.create_default_context(cafile="/etc/ssl/internal-ca.pem")

    # ok: ssl-certificate-verification-disabled
    ctx3.check_hostname = True

    # ok: ssl-certificate-verification-disabled
    ctx3.verify_mode = ssl.CERT_REQUIRED

    # ok: ssl-certificate-verification-disabled
    if ctx3.verify_mode == ssl.CERT_NONE:
        raise RuntimeError("refusing insecure context")

    # ok: ssl-certificate-verification-disabled
    pool2 = urllib3.PoolManager(cert_reqs="CERT_REQUIRED", ca_certs="/etc/ssl/ca.pem")
    return ctx, wrapped, pool, pool2
