FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=voiceassist.settings.production
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
RUN DJANGO_SECRET_KEY=build NATIONAL_ID_HMAC_KEY=build SIMULATED_WEBHOOK_SECRET=build EXOTEL_WEBHOOK_TOKEN=build \
    PUBLIC_BASE_URL=http://build DJANGO_ALLOWED_HOSTS=* \
    python manage.py collectstatic --noinput

RUN useradd --create-home voiceassist && mkdir -p /app/var && chown -R voiceassist /app/var
USER voiceassist

EXPOSE 8000
# The access log leaves out query strings: searches carry phone numbers.
CMD ["gunicorn", "voiceassist.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--access-logformat", "%(h)s %(t)s \"%(m)s %(U)s\" %(s)s %(b)s %(M)sms"]
