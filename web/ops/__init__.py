"""Operations endpoints: ``/healthz``, ``/readyz`` and Prometheus ``/metrics``.

They serve load balancers and monitoring, not people: no login, no pages,
no personal data (see ``metrics`` for what is measured and ``views`` for who
may read it).
"""

from flask import Blueprint, Flask

bp = Blueprint("ops", __name__)


def init_app(app: Flask) -> None:
    """Register the endpoints and start measuring requests and searches."""
    from web.ops import metrics, views  # noqa: F401 - views registers the routes on bp

    app.register_blueprint(bp)
    metrics.init_app(app)
