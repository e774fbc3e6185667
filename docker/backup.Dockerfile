# The snapshot backup CronJob's image: Node 20, kubectl, and the compiled backup CLI.
#   docker build -f docker/backup.Dockerfile -t ghcr.io/apphub/streaming-backup:0.1.0 .
# Entry point: node dist/src/cli/backup.js <backup|list|restore|verify> (docs/backup-restore.md).

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY components ./components
COPY test ./test
COPY bench ./bench
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM ${NODE_IMAGE} AS kubectl
# Pin kubectl and check it against the checksum published next to it.
ARG KUBECTL_VERSION=v1.31.4
ARG TARGETARCH=amd64
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && curl -fsSLo /kubectl "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${TARGETARCH}/kubectl" \
 && echo "$(curl -fsSL "https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/${TARGETARCH}/kubectl.sha256")  /kubectl" | sha256sum -c - \
 && chmod 0755 /kubectl

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=kubectl /kubectl /usr/local/bin/kubectl
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
# The image's unprivileged `node` user; the CronJob also sets runAsUser 1000 and a read-only root.
USER 1000:1000
ENV HOME=/tmp
ENTRYPOINT ["node", "/app/dist/src/cli/backup.js"]
CMD ["--help"]
