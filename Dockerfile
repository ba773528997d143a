FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
# Only the code the service runs (see .dockerignore): no .env, var/, .git,
# tests, docs or benchmarks in the image.
COPY manage.py ./
COPY config ./config
COPY accounts ./accounts
COPY alerts ./alerts
COPY checkins ./checkins
COPY coverage ./coverage
COPY records ./records
COPY inbox ./inbox
COPY care ./care
COPY sms ./sms
COPY web ./web
RUN useradd --create-home checkins && mkdir -p /app/var && chown -R checkins /app/var
USER checkins
EXPOSE 8000
