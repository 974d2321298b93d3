import pickle
import cPickle
import dill
import jsonpickle
import json
import pandas as pd
from pickle import loads as unpickle


def restore(blob, path):
    # ruleid: pickle-unsafe-deserialization
    obj = pickle.loads(blob)

    with open(path, "rb") as fh:
        # ruleid: pickle-unsafe-deserialization
        state = pickle.load(fh)

    # ruleid: pickle-unsafe-deserialization
    legacy = cPickle.loads(blob)

    # ruleid: pickle-unsafe-deserialization
    fn = dill.loads(blob)

    # ruleid: pickle-unsafe-deserialization
    data = unpickle(blob)

    # ruleid: pickle-unsafe-deserialization
    u = pickle.Unpickler(open(path, "rb"))

    # ruleid: pickle-unsafe-deserialization
    cfg = jsonpickle.decode(blob)

    # ruleid: pickle-unsafe-deserialization
    frame = pd.read_pickle(path)

    # ok: pickle-unsafe-deserialization
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)

    # ok: pickle-unsafe-deserialization
    cfg = json.loads(blob)

    # ok: pickle-unsafe-deserialization
    enc = jsonpickle.encode(cfg)

    # ok: pickle-unsafe-deserialization
    frame = pd.read_parquet(path)
    return obj, state, legacy, fn, data, u, cfg, frame, payload, enc
