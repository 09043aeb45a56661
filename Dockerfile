# syntax=docker/dockerfile:1
#
# feedloom in a container: a multi-stage build (Rust toolchain only in the builder) and a
# small Debian runtime running as a non-root user, with its state in a volume.
#
#   docker build -t feedloom .
#   docker run -d --name feedloom -v feedloom-data:/app/feedloom-data -v feedloom-out:/app/out feedloom
#
# Your own config, conf/feedloom.yaml (paths in it resolve against /app/config):
#   docker run -d --name feedloom -p 127.0.0.1:9180:9180 \
#     -v "$PWD/conf:/app/config:ro" \
#     -v feedloom-data:/app/feedloom-data feedloom
# with `state_dir: ../feedloom-data` and `admin: { listen: "0.0.0.0:9180" }` in it.
# Reload: `docker kill -s HUP feedloom`. Status: `docker exec feedloom feedloom status -c /app/config/feedloom.yaml`.
# See docs/operations.md.

############################ build ############################
FROM rust:1.95-bookworm AS build
WORKDIR /src
# The whole workspace (see .dockerignore): Cargo.lock pins every dependency.
COPY . .
# Cache mounts keep the registry and target dir between builds (BuildKit); the binary is
# copied out of the cached target dir in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p feedloom --bin feedloom \
 && install -D -m 0755 target/release/feedloom /out/feedloom

############################ runtime ############################
FROM debian:bookworm-slim AS runtime
# CA certificates for HTTPS feeds and webhooks; nothing else is needed (rustls, no OpenSSL).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 feedloom \
 && useradd --system --uid 10001 --gid feedloom --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin feedloom
COPY --from=build /out/feedloom /usr/local/bin/feedloom
# The bundled config and the sample feeds it polls (state_dir ../feedloom-data and the
# jsonl sink ../out/items.jsonl resolve to /app/feedloom-data and /app/out).
COPY config/feedloom.yaml /app/config/feedloom.yaml
COPY examples/feeds /app/examples/feeds
# Created and owned by the user before VOLUME, so new named volumes inherit the ownership.
RUN mkdir -p /app/feedloom-data /app/out \
 && chown feedloom:feedloom /app/feedloom-data /app/out \
 && feedloom check -c /app/config/feedloom.yaml
WORKDIR /app
USER 10001:10001
VOLUME ["/app/feedloom-data", "/app/out"]
# The admin endpoint, when the config enables it on 0.0.0.0:9180.
EXPOSE 9180
# feedloom drains its sinks on SIGTERM; give it time (docker stop -t 30).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/feedloom"]
CMD ["run", "-c", "/app/config/feedloom.yaml"]
