"""The yardstick of ``bench/voting.py``: the least a Flask app can do per ballot.

One POST inserts one row into PostgreSQL (table ``bench_minimal``, created by the bench) and
answers JSON. Started with the same gunicorn configuration as the product.
"""

import os

import sqlalchemy as sa
from flask import Flask, jsonify, request

engine = sa.create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
app = Flask(__name__)


@app.get("/")
def index():
    return "minimal"


@app.post("/ballot")
def ballot():
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO bench_minimal (choice) VALUES (:choice)"),
            {"choice": request.form["choice"]},
        )
    return jsonify(ok=True)
