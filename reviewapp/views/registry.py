"""The public data-sharing registry: who receives data from the city's surveillance."""

from flask import Blueprint

bp = Blueprint("registry", __name__, url_prefix="/registry")
