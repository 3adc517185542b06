# One image for all three programs; docker-compose.yml picks the program per service.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY shared/package.json shared/
COPY firmware-sim/package.json firmware-sim/
COPY gateway/package.json gateway/
COPY cloud/package.json cloud/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -b shared firmware-sim gateway cloud && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production GRIDSAFE_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app /app
# A fresh named volume is a copy of this folder, owner included: made here and handed to
# the runtime user before VOLUME (later changes to it would be discarded), so the programs
# can create their data folders in it (test/dockerfile.test.ts).
# The case report PDF needs a font with Chinese glyphs (cloud/src/cases/report-pdf.ts).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei && rm -rf /var/lib/apt/lists/*
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
