# Manifold as an Airbyte-compatible source/destination image.
#
#   docker build -t manifold .                                   # generic: manifest injected in the config
#   docker build -t source-close-com --build-arg MANIFEST=manifests/close-com.yaml .
#   docker run --rm -v $PWD/secrets:/secrets source-close-com check --config /secrets/config.json
#
# The entrypoint takes Airbyte's commands (spec, check, discover, read, write) and flags
# (--config, --catalog, --state). The manifest comes from, in order: --manifest, $MANIFOLD_MANIFEST
# (baked in with the MANIFEST build arg, or mounted), or `__injected_declarative_manifest` in the
# config — Airbyte's source-declarative-manifest convention, so one image serves any manifest.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY engine ./engine
COPY cli ./cli
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ARG MANIFEST=""
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY manifests ./manifests
# An empty MANIFEST leaves the image generic; otherwise the manifest is baked in.
RUN if [ -n "$MANIFEST" ]; then cp "$MANIFEST" /app/manifest.yaml; fi
ENV MANIFOLD_MANIFEST_DEFAULT=/app/manifest.yaml
# Same V8 flags as cli/main.ts's shebang (see the comment there): young generation large enough
# for pages of records to die young, old generation collected early; peak RSS ~130-145 MB over
# 1M-record syncs.
ENV AIRBYTE_ENTRYPOINT="node --max-semi-space-size=16 --heap-growing-percent=50 /app/dist/cli/main.js"
ENTRYPOINT ["node", "--max-semi-space-size=16", "--heap-growing-percent=50", "/app/dist/cli/main.js"]
LABEL io.airbyte.name=manifold io.airbyte.version=0.1.0
