import os

# ruleid: django-debug-setting-enabled
DEBUG = True

# ruleid: django-debug-setting-enabled
TEMPLATE_DEBUG = True

# ok: django-debug-setting-enabled
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"

# ok: django-debug-setting-enabled
DEBUG = False

# ok: django-debug-setting-enabled
DEBUG_TOOLBAR = True

# ruleid: django-debug-setting-enabled
DEBUG_PROPAGATE_EXCEPTIONS = True

if os.environ.get("LOCAL_DEV"):
    # ok: django-debug-setting-enabled
    DEBUG = True


class TestSettings:
    # ok: django-debug-setting-enabled
    DEBUG = True


def enable_debug(settings):
    # ok: django-debug-setting-enabled
    DEBUG = True
    settings.DEBUG = DEBUG
