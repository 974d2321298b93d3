import yaml
from yaml import SafeLoader
from ruamel.yaml import YAML


def parse(doc, stream):
    # ruleid: yaml-unsafe-load
    cfg = yaml.load(doc)

    # ruleid: yaml-unsafe-load
    cfg = yaml.load(doc, Loader=yaml.Loader)

    # ruleid: yaml-unsafe-load
    cfg = yaml.load(doc, yaml.UnsafeLoader)

    # ruleid: yaml-unsafe-load
    docs = list(yaml.load_all(stream, Loader=yaml.CLoader))

    # ruleid: yaml-unsafe-load
    cfg = yaml.unsafe_load(doc)

    # ruleid: yaml-unsafe-load
    loader = YAML(typ="unsafe")

    # ok: yaml-unsafe-load
    cfg = yaml.load(doc, Loader=yaml.SafeLoader)

    # ok: yaml-unsafe-load
    cfg = yaml.load(doc, Loader=SafeLoader)

    # ok: yaml-unsafe-load
    cfg = yaml.load(doc, yaml.CSafeLoader)

    # ok: yaml-unsafe-load
    cfg = yaml.safe_load(doc)

    # ok: yaml-unsafe-load
    docs = list(yaml.safe_load_all(stream))

    # ok: yaml-unsafe-load
    loader = YAML(typ="safe")

    # ok: yaml-unsafe-load
    text = yaml.dump(cfg, Dumper=yaml.Dumper)
    return cfg, docs, loader, text


def ruamel_roundtrip(fd):
    yaml = YAML()
    # ok: yaml-unsafe-load
    return yaml.load(fd)
