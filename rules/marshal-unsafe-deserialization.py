import marshal
from marshal import loads
import json


def read_cache(blob, fh):
    # ruleid: marshal-unsafe-deserialization
    code = marshal.loads(blob)

    # ruleid: marshal-unsafe-deserialization
    obj = marshal.load(fh)

    # ruleid: marshal-unsafe-deserialization
    other = loads(blob)

    # ok: marshal-unsafe-deserialization
    out = marshal.dumps({"a": 1})

    # ok: marshal-unsafe-deserialization
    data = json.loads(blob)
    return code, obj, other, out, data
