import os
import psycopg2
import boto3

# ruleid: hardcoded-credential
DB_PASSWORD = "s3cr3t-P@ss"

# ruleid: hardcoded-credential
SECRET_KEY = "django-insecure-2b#x!k9v1@f"

# ruleid: hardcoded-credential
api_key = "sk_live_51HbXkQ2eZvKYlo2C"

CONFIG = {
    "host": "db.internal",
    # ruleid: hardcoded-credential
    "password": "hunter2",
}


class Client:
    def __init__(self):
        # ruleid: hardcoded-credential
        self.auth_token = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"


def connect():
    # ruleid: hardcoded-credential
    conn = psycopg2.connect(host="db", user="app", password="P4ssw0rd!")

    # ruleid: hardcoded-credential
    s3 = boto3.client("s3", aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    return conn, s3


# ruleid: hardcoded-credential
def login(user, password="admin123"):
    return user, password


# ok: hardcoded-credential
DB_PASSWORD_ENV = "DB_PASSWORD"

# ok: hardcoded-credential
password = os.environ["DB_PASSWORD"]

# ok: hardcoded-credential
password = ""

# ok: hardcoded-credential
TOKEN_URL = "https://auth.example.com/oauth/token"

# ok: hardcoded-credential
token_type = "bearer"

# ok: hardcoded-credential
PASSWORD_FIELD = "password_input"

# ok: hardcoded-credential
conn = psycopg2.connect(host="db", user="app", password=os.getenv("PGPASSWORD"))

# ok: hardcoded-credential
conn = psycopg2.connect(host="db", user="app", password="")

# ok: hardcoded-credential
api_key = "${API_KEY}"

# ok: hardcoded-credential
end_token = ">"

# ok: hardcoded-credential
GEN_AI_TIME_TO_FIRST_TOKEN = "gen_ai.server.time_to_first_token"

# ok: hardcoded-credential
masked_password = ":****"

# ruleid: hardcoded-credential
github_token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"

# ok: hardcoded-credential
password_hash = "$2b$12$abcdefghijklmnopqrstuv"

# ruleid: hardcoded-credential
ADMIN_PASSWORD: str = "correct horse battery staple"

# ok: hardcoded-credential
API_KEY = "MYAPP_API_KEY"

# ok: hardcoded-credential
form_fields = {"username": "username", "password": "password"}

# ruleid: hardcoded-credential
AWS_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
