import ssl
from OpenSSL import SSL


def contexts(sock):
    # ruleid: ssl-insecure-protocol-version
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)

    # ruleid: ssl-insecure-protocol-version
    legacy = ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_SSLv3)

    # ruleid: ssl-insecure-protocol-version
    ctx2 = ssl.SSLContext(ssl.PROTOCOL_TLSv1_1)

    # ruleid: ssl-insecure-protocol-version
    octx = SSL.Context(SSL.TLSv1_METHOD)

    ctx3 = ssl.create_default_context()
    # ruleid: ssl-insecure-protocol-version
    ctx3.minimum_version = ssl.TLSVersion.TLSv1

    # ok: ssl-insecure-protocol-version
    ctx4 = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

    # ok: ssl-insecure-protocol-version
    ctx4.minimum_version = ssl.TLSVersion.TLSv1_2

    # ok: ssl-insecure-protocol-version
    ctx4.options |= ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1

    # ok: ssl-insecure-protocol-version
    octx2 = SSL.Context(SSL.TLS_CLIENT_METHOD)

    # ok: ssl-insecure-protocol-version
    octx3 = SSL.Context(SSL.SSLv23_METHOD)

    # ok: ssl-insecure-protocol-version
    ctx5 = ssl.SSLContext(ssl.PROTOCOL_TLSv1_2)
    return ctx, legacy, ctx2, octx, ctx4, octx2, ctx5
