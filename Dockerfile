# syntax=docker/dockerfile:1
# Tiến Độ: the web app built with Node, served by a slim Python image as a non-root user.
# Build: docker build -t tiendo .   Run it with docker-compose.yml (see README "Deployment").

# --- 1. the web app (static files) ---
FROM node:20-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY frontend/ ./
RUN npm run build

# --- 2. Python dependencies, exactly as locked in uv.lock ---
FROM python:3.11-slim AS python-deps
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
# Dependencies first, in their own layer: a code change does not reinstall them.
RUN uv sync --frozen --no-dev --no-install-project
COPY backend ./backend
RUN uv sync --frozen --no-dev

# --- 3. the image that runs ---
FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin tiendo
WORKDIR /app
COPY --from=python-deps /app/.venv ./.venv
COPY pyproject.toml alembic.ini ./
COPY alembic ./alembic
COPY backend ./backend
COPY deploy ./deploy
COPY --from=web /src/frontend/dist ./frontend/dist
RUN mkdir -p var && chown tiendo:tiendo var
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TIENDO_VAR_DIR=/app/var
USER tiendo
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"]
# Migrations run on start (they are idempotent); the worker count comes from TIENDO_WORKERS.
CMD ["sh", "-c", "tiendo migrate && exec tiendo serve --host 0.0.0.0 --port 8000"]
