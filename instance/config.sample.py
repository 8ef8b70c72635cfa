# Copy to instance/config.py and edit. Environment variables (REVIEWAPP_<NAME>) override
# these values; in production prefer the environment (deploy/reviewapp.env.example).
# SECRET_KEY = "a long random string: python -c 'import secrets; print(secrets.token_hex(32))'"
# SECRET_KEY_FALLBACKS = ["the previous key, while rotating"]
# DATABASE_URL = "postgresql://reviewapp_app@127.0.0.1:5432/reviewapp"
# MIGRATION_DATABASE_URL = "postgresql://reviewapp_owner@127.0.0.1:5432/reviewapp"
# PROFILE = "ccops-model"
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"
# TRUSTED_PROXIES = 1
# TRUSTED_HOSTS = ["surveillance.example.gov"]
# SESSION_COOKIE_SECURE = True
# LOG_LEVEL = "INFO"
