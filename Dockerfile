FROM python:3.11-slim
WORKDIR /app
COPY . /app
# The CPU build of torch (only needed to export the models once, at image build time).
RUN pip install --no-cache-dir torch==2.13.0 \
 && pip install --no-cache-dir -e ".[postgres,ocr]" \
 && pip install --no-cache-dir --no-deps pix2tex==0.1.4 timm==0.5.4 x-transformers==0.15.0 einops==0.8.2 munch==4.0.0 entmax==1.3 \
 && SCIPIX_MODEL_DIR=/models scipix-search models build
ENV SCIPIX_MODEL_DIR=/models
ENTRYPOINT ["scipix-search"]
CMD ["serve", "--host", "0.0.0.0"]
