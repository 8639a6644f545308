# One build, one small image per binary: `docker build --target <name> .` where <name> is one of
# source-controller, kustomize-controller, helm-controller, notification-controller, image-controller, flux.
# Binaries are static (musl) and run as a non-root user on a distroless base.

FROM rust:1.95-bookworm AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends musl-tools && rm -rf /var/lib/apt/lists/* \
    && rustup target add x86_64-unknown-linux-musl
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --target x86_64-unknown-linux-musl \
      -p source-controller -p kustomize-controller -p helm-controller \
      -p notification-controller -p image-controller -p flux \
    && mkdir -p /out \
    && cp target/x86_64-unknown-linux-musl/release/source-controller \
          target/x86_64-unknown-linux-musl/release/kustomize-controller \
          target/x86_64-unknown-linux-musl/release/helm-controller \
          target/x86_64-unknown-linux-musl/release/notification-controller \
          target/x86_64-unknown-linux-musl/release/image-controller \
          target/x86_64-unknown-linux-musl/release/flux /out/

FROM gcr.io/distroless/static-debian12:nonroot AS base
USER 65532:65532

FROM base AS source-controller
COPY --from=build /out/source-controller /usr/local/bin/source-controller
ENTRYPOINT ["/usr/local/bin/source-controller"]

FROM base AS kustomize-controller
COPY --from=build /out/kustomize-controller /usr/local/bin/kustomize-controller
ENTRYPOINT ["/usr/local/bin/kustomize-controller"]

FROM base AS helm-controller
COPY --from=build /out/helm-controller /usr/local/bin/helm-controller
ENTRYPOINT ["/usr/local/bin/helm-controller"]

FROM base AS notification-controller
COPY --from=build /out/notification-controller /usr/local/bin/notification-controller
ENTRYPOINT ["/usr/local/bin/notification-controller"]

FROM base AS image-controller
COPY --from=build /out/image-controller /usr/local/bin/image-controller
ENTRYPOINT ["/usr/local/bin/image-controller"]

FROM base AS flux
COPY --from=build /out/flux /usr/local/bin/flux
ENTRYPOINT ["/usr/local/bin/flux"]
