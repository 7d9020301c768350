# syntax=docker/dockerfile:1
# Stage 1: compile the single binary in the official Deno image.
FROM denoland/deno:2.9.6 AS build
WORKDIR /src
COPY deno.json deno.lock main.ts ./
COPY src ./src
COPY scripts ./scripts
# Least privilege baked in: network, environment, read/write of /data and /backups only (the
# volume `backup`/`restore` use), and setPriority (build threads lower their own priority).
RUN deno run --allow-read --allow-write --allow-run --allow-env scripts/bundle.ts \
 && deno compile --no-check --allow-net --allow-env --allow-read=/data,/backups --allow-write=/data,/backups --allow-sys=setPriority \
      -o /out/ugc-world-server dist/server.js \
 && mkdir -p /out/data /out/backups && chown 65532:65532 /out/data /out/backups

# Stage 2: a minimal runtime (glibc, no shell, no package manager) as a non-root user.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/ugc-world-server /usr/local/bin/ugc-world-server
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build --chown=65532:65532 /out/backups /backups
ENV HOST=0.0.0.0 PORT=5000 DATA_DIR=/data LOG_LEVEL=info
USER 65532:65532
VOLUME /data /backups
EXPOSE 5000
# The binary checks itself: no curl needed in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/ugc-world-server", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/ugc-world-server"]
CMD ["serve"]
