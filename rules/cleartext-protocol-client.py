import telnetlib
import ftplib
from ftplib import FTP, FTP_TLS
import paramiko


def transfer(host, user, password, local):
    # ruleid: cleartext-protocol-client
    tn = telnetlib.Telnet(host, 23, timeout=10)

    # ruleid: cleartext-protocol-client
    ftp = ftplib.FTP(host)

    # ruleid: cleartext-protocol-client
    with FTP(host, user, password) as ftp2:
        ftp2.retrlines("LIST")

    # ok: cleartext-protocol-client
    ftps = FTP_TLS(host)

    # ok: cleartext-protocol-client
    ftps2 = ftplib.FTP_TLS(host, user, password)

    # ok: cleartext-protocol-client
    ssh = paramiko.SSHClient()

    # ok: cleartext-protocol-client
    port = ftplib.FTP_PORT
    return tn, ftp, ftps, ftps2, ssh, port
