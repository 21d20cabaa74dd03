# Multi-stage build: compile in the Rust image, run from a slim Debian image as a non-root user.
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends cmake && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin wirefeed && strip target/release/wirefeed

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --no-create-home wirefeed
COPY --from=build /src/target/release/wirefeed /usr/local/bin/wirefeed
COPY config/default.toml /etc/wirefeed/wirefeed.toml
USER wirefeed
ENV WIREFEED_CONFIG=/etc/wirefeed/wirefeed.toml
ENTRYPOINT ["wirefeed"]
CMD ["run"]
