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

# Node 24: the LTS line supported until 2028 (Node 20 reached end of life in April 2026). The test
# suite runs the image's entrypoint contract on this Node version too (test/packaging).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY engine ./engine
COPY cli ./cli
# The build bundles the studio's page too (dist/studio/).
COPY studio ./studio
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ARG MANIFEST=""
# What the platform shows for the image: a baked-in connector names itself, e.g.
#   --build-arg MANIFEST=manifests/close-com.yaml --build-arg AIRBYTE_NAME=source-close-com --build-arg AIRBYTE_VERSION=1.2.0
ARG AIRBYTE_NAME=manifold
ARG AIRBYTE_VERSION=dev
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json LICENSE ./
COPY manifests ./manifests
# An empty MANIFEST leaves the image generic (its `spec` then asks for
# __injected_declarative_manifest in the config); otherwise the manifest is baked in.
RUN if [ -n "$MANIFEST" ]; then cp "$MANIFEST" /app/manifest.yaml; fi
# Airbyte's connector images run as uid 1000 (the node image's `node` user), never as root.
USER 1000:1000
ENV MANIFOLD_MANIFEST_DEFAULT=/app/manifest.yaml
# Same V8 flags as cli/main.ts's shebang (see the comment there): young generation large enough
# for pages of records to die young, old generation collected early; peak RSS ~130-145 MB over
# 1M-record syncs.
ENV AIRBYTE_ENTRYPOINT="node --max-semi-space-size=16 --heap-growing-percent=50 /app/dist/cli/main.js"
ENTRYPOINT ["node", "--max-semi-space-size=16", "--heap-growing-percent=50", "/app/dist/cli/main.js"]
LABEL io.airbyte.name=$AIRBYTE_NAME io.airbyte.version=$AIRBYTE_VERSION
