# The image runs the same steps as the Makefile (`make install`, `make index`), so the
# path the tests exercise is the path the image runs. No Docker engine runs where this
# project is developed: tests/test_dockerfile.py lints this file with hadolint.
FROM python:3.11-slim

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 summit
WORKDIR /app
COPY --chown=10001:10001 . /app
USER 10001:10001

ENV SUMMITBOT_CACHE_DIR=/app/.cache \
    HF_HUB_OFFLINE=1 \
    PYTHONUNBUFFERED=1

# CPU-only torch from its wheel index (the default PyPI torch wheel for Linux is a CUDA build),
# then the project; then the default model is converted and the index built into the image.
RUN make install TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu \
    && make index

CMD [".venv/bin/summitbot", "demo"]
