import logging

logger = logging.getLogger(__name__)
log = logging.getLogger("auth")


class Auth:
    def __init__(self):
        self.log = logging.getLogger("x")

    def login(self, user, password, api_key, creds, token_count, kind, value):
        # ruleid: logging-sensitive-data
        logger.info("login attempt for %s with password %s", user, password)

        # ruleid: logging-sensitive-data
        logging.debug("using api key %s", api_key)

        # ruleid: logging-sensitive-data
        log.warning(f"bad credentials: {user.password}")

        # ruleid: logging-sensitive-data
        self.log.error("refresh failed, token=%s", creds["refresh_token"])

        # ruleid: logging-sensitive-data
        logger.debug("session: " + self.session.access_token)

        # ok: logging-sensitive-data
        logger.info("password changed for user %s", user.name)

        # ok: logging-sensitive-data
        logger.info("processed %d tokens", token_count)

        # ok: logging-sensitive-data
        logger.info("login ok for %s", user)

        # ok: logging-sensitive-data
        print_report(password)

        # ok: logging-sensitive-data
        self.log.debug("%s %r", token.tok_name[kind], value)

        # ok: logging-sensitive-data
        logger.info("password reset requested", extra={"user_id": user.id})
