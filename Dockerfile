FROM python:3.11-slim
WORKDIR /app
COPY . /app
# The CPU build of torch (only needed to export the models once, at image build time).
RUN pip install --no-cache-dir torch==2.13.0 \
 && pip install --no-cache-dir -e ".[postgres,ocr]" \
 && SCIPIX_MODEL_DIR=/models scipix-search models build
ENV SCIPIX_MODEL_DIR=/models
ENTRYPOINT ["scipix-search"]
