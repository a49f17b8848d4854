from flask import Blueprint

bp = Blueprint("drafting", __name__, url_prefix="/c/<int:conference_id>")
