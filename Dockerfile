# The image runs the same steps as the Makefile (`make install`, `make index`), so the
# path the tests exercise is the path the image runs. No Docker engine runs where this
# project is developed: tests/test_dockerfile.py lints this file with hadolint.
FROM python:3.11-slim

# make runs the Makefile's steps; Tesseract and its Japanese models read scans (index/extract_ocr.py).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends make tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 summit
WORKDIR /app
COPY --chown=10001:10001 . /app
USER 10001:10001

ENV SUMMITBOT_CACHE_DIR=/app/.cache \
    SUMMITBOT_DB=/app/.data/summitbot.sqlite3 \
    SUMMITBOT_HOST=0.0.0.0 \
    SUMMITBOT_PORT=8080 \
    HF_HUB_OFFLINE=1 \
    PYTHONUNBUFFERED=1

# CPU-only torch from its wheel index (the default PyPI torch wheel for Linux is a CUDA build),
# then the project without its test extras; then the default model is converted and the index built.
RUN make install EXTRAS= TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu \
    && make index EXTRAS=

EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD [".venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]

# Slack credentials come from the environment at run time (docker run --env-file .env), never the image.
CMD [".venv/bin/summitbot", "serve"]
