# Production image: gunicorn web, Celery worker and beat all run from this one image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
RUN useradd --system --uid 10001 --home /app stabil
COPY requirements/prod.lock requirements/prod.lock
RUN pip install --no-cache-dir -r requirements/prod.lock
COPY . .
# Collect static files and compile translations at build time (no secrets needed for either).
RUN SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only-not-secret \
    DJANGO_SETTINGS_MODULE=config.settings.local DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput && \
    DJANGO_SETTINGS_MODULE=config.settings.local python manage.py compile_translations && \
    rm -rf var && mkdir -p /app/var && chown -R stabil /app/var
USER stabil
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(M)sms"]
