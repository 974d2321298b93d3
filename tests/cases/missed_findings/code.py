import pickle

import requests


def load_state(blob):
    return pickle.loads(blob)


def fetch(url):
    return requests.get(url)
