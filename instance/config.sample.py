# Copy to instance/config.py and edit. Environment variables override these values.
# SECRET_KEY = "a long random string: python -c 'import secrets; print(secrets.token_hex(32))'"
# DATABASE_URL = "postgresql+psycopg://user@127.0.0.1:5432/reviewapp"
# PROFILE = "ccops-model"
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"
# SESSION_COOKIE_SECURE = True
