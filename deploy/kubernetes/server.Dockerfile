# The Chaincode Studio server image, built FROM the sandbox image (Debian and Node, assembled on this
# machine from Debian packages by npm run build:image), so no image is pulled from a registry.
#   docker build -f deploy/kubernetes/server.Dockerfile --build-arg SANDBOX_IMAGE=chaincode-studio-sandbox:<tag> -t chaincode-studio-server:dev .
ARG SANDBOX_IMAGE
FROM ${SANDBOX_IMAGE}
WORKDIR /opt/chaincode-studio
COPY package.json package-lock.json tsconfig.json ./
COPY node_modules ./node_modules
COPY protocol ./protocol
COPY server ./server
COPY sandbox ./sandbox
COPY samples ./samples
COPY dist ./dist
USER 10001:10001
ENV STUDIO_HOST=0.0.0.0 STUDIO_DATA_DIR=/data STUDIO_SANDBOX_DRIVER=kubernetes
ENTRYPOINT ["/usr/local/bin/node", "--import", "tsx", "server/main.ts"]
