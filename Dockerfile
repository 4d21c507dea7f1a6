# The Luohu talent knowledge base web application (gunicorn, via `kb serve`).
# Used by docker-compose.yml; see docs/deployment.md.
#
#   docker build -t luohu-kb .
#   docker run -e KB_SECRET_KEY=... -e KB_DATABASE_URL=... -p 8000:8000 -v kbdata:/data luohu-kb

# ---- build: compile any dependency that has no wheel, into a virtualenv
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Optional: a CPU-only PyTorch index keeps the image much smaller, e.g.
#   docker build --build-arg PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu .
ARG PIP_EXTRA_INDEX_URL=
ENV PIP_EXTRA_INDEX_URL=${PIP_EXTRA_INDEX_URL}
WORKDIR /src
COPY pyproject.toml README.md ./
COPY kb ./kb
COPY indexer ./indexer
COPY web ./web
# config/*.toml and gunicorn.conf.py go into the venv's share/luohu-kb/config (pyproject data-files)
COPY config ./config
RUN pip install --upgrade pip \
 && pip install .

# ---- run
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    KB_ENV=production \
    KB_DATA_DIR=/data
RUN useradd --system --uid 10001 --create-home --home-dir /home/kb kb \
 && mkdir -p /data \
 && chown kb:kb /data
COPY --from=build /opt/venv /opt/venv
USER kb
WORKDIR /home/kb
VOLUME ["/data"]
EXPOSE 8000
# `kb init` creates or migrates the schema (safe to repeat); then gunicorn serves.
CMD ["sh", "-c", "kb init && exec kb serve --host 0.0.0.0 --port 8000"]
