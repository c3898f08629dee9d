"""The baseline: a bare Flask JSON endpoint, served with the same gunicorn settings as the
real app, so the real endpoints are reported as a fraction of what Flask itself does here."""
from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/ping")
def ping():
    return jsonify({"status": "ok"})
