from flask import Blueprint

bp = Blueprint("voting", __name__, url_prefix="/c/<int:conference_id>")
