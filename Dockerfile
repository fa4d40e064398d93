# Multi-stage build of both executables. The builder uses the official Swift image on Debian 12, the same
# distribution `make run` targets; the runtime image holds only the binaries and the C libraries they link.
FROM swift:6.2-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      pkg-config libhiredis-dev libsndfile1-dev libmp3lame-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product calls-api \
 && swift build -c release --static-swift-stdlib --product calls-worker \
 && mkdir /out && cp "$(swift build -c release --show-bin-path)"/calls-api "$(swift build -c release --show-bin-path)"/calls-worker /out/

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libhiredis0.14 libsndfile1 libmp3lame0 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /app calls
WORKDIR /app
COPY --from=build /out/calls-api /out/calls-worker /usr/local/bin/
COPY migrations ./migrations
COPY openapi.yaml ./openapi.yaml
RUN mkdir -p /app/recordings && chown calls: /app/recordings
USER calls
ENV CALLS_HTTP_HOST=0.0.0.0 \
    CALLS_HTTP_PORT=8000 \
    CALLS_RECORDINGS_DIR=/app/recordings \
    CALLS_MIGRATIONS_DIR=/app/migrations \
    CALLS_OPENAPI_FILE=/app/openapi.yaml
EXPOSE 8000
CMD ["calls-api", "serve"]
