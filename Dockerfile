# syntax=docker/dockerfile:1
# Build: docker build -t movie-service .   Run: see deploy/compose.yaml

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY requirements.txt .
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade pip \
 && /opt/venv/bin/pip install -r requirements.txt

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    APP_ENV=production \
    GUNICORN_BIND=0.0.0.0:8000 \
    INSTANCE_DIR=/var/lib/movie-service
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
 && mkdir -p /var/lib/movie-service && chown app:app /var/lib/movie-service
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=app:app wsgi.py gunicorn.conf.py ./
COPY --chown=app:app config ./config
COPY --chown=app:app src ./src
COPY --chown=app:app migrations ./migrations
COPY --chown=app:app simulator ./simulator
USER app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import os,sys,urllib.request as u; host=os.environ.get('ALLOWED_HOSTS','localhost').split(',')[0].strip(); r=u.Request('http://127.0.0.1:8000/healthz', headers={'Host': host}); sys.exit(0 if u.urlopen(r, timeout=2).status == 200 else 1)"
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
