import warnings
import requests
import urllib3
from urllib3.exceptions import InsecureRequestWarning


def setup():
    # ruleid: urllib3-insecure-warnings-disabled
    urllib3.disable_warnings()

    # ruleid: urllib3-insecure-warnings-disabled
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

    # ruleid: urllib3-insecure-warnings-disabled
    requests.packages.urllib3.disable_warnings(InsecureRequestWarning)

    # ruleid: urllib3-insecure-warnings-disabled
    warnings.simplefilter("ignore", InsecureRequestWarning)

    # ruleid: urllib3-insecure-warnings-disabled
    warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)

    # ok: urllib3-insecure-warnings-disabled
    urllib3.disable_warnings(urllib3.exceptions.SNIMissingWarning)

    # ok: urllib3-insecure-warnings-disabled
    warnings.simplefilter("ignore", DeprecationWarning)

    # ok: urllib3-insecure-warnings-disabled
    warnings.simplefilter("error", InsecureRequestWarning)
