#!/usr/bin/env bash
# Container check, for a Debian machine as root (CI runs it from .ci/run):
#   1. lints the Dockerfile, as it is (BACKEND=cpu) and as built for CUDA, with dockerfile-utils;
#   2. builds the CPU image with podman without pulling from any registry: the base images that the
#      Dockerfile's arguments name are stand-ins made here (a Debian root made with debootstrap, with
#      OpenJDK 17 and Maven, imported and tagged with those names), and the image's Maven build runs
#      offline from this machine's Maven repository;
#   3. runs the image on 127.0.0.1 with a 1 GiB memory limit and a read-only root file system (as the
#      Helm chart does), waits for readiness, POSTs the seed example and checks the loss, checks that
#      the service runs as a non-root user, that the image has its HEALTHCHECK and that it passes, and
#      that the JVM sized its heap from the memory limit and maps the class data sharing archive;
#   4. removes the container and the image.
# The CUDA variant needs NVIDIA's base image and a GPU, neither available here: it is linted only.
#
# Environment: CONTAINER_CHECK_PORT (default: the first free port from 18080),
# CONTAINER_CHECK_WORK (default /var/tmp/loss-service-container-check), DEBIAN_MIRROR,
# MAVEN_REPOSITORY (default ~/.m2/repository), CONTAINER_CHECK_KEEP_IMAGE=1 keeps the built image.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
work=${CONTAINER_CHECK_WORK:-/var/tmp/loss-service-container-check}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
maven_repository=${MAVEN_REPOSITORY:-$HOME/.m2/repository}
image=localhost/loss-service:container-check
container="loss-service-container-check"
standin=localhost/loss-service-standin-base:bookworm
passed=0
failed=0

log() { echo "container-check: $*"; }

check() {  # check DESCRIPTION COMMAND...: runs the command, counts and reports the outcome
  local description=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
    log "PASS $description"
  else
    failed=$((failed + 1))
    log "FAIL $description"
  fi
}

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

missing=()
for tool in podman:podman buildah:buildah runc:runc debootstrap:debootstrap curl:curl node:nodejs npm:npm; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt_install "${missing[@]}"
fi

mkdir -p "$work"
# runc rather than crun, and explicit ulimits: what runs in this kind of sandbox.
cat >"$work/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$work/containers.conf"

dangling_before=""
cleanup() {
  podman rm --force --ignore "$container" >/dev/null 2>&1 || true
  if [ "${CONTAINER_CHECK_KEEP_IMAGE:-}" != 1 ]; then
    podman rmi --force "$image" >/dev/null 2>&1 || true
    # The untagged images of the build's other stages, left by this run only.
    for stage_image in $(podman images --quiet --filter dangling=true 2>/dev/null); do
      grep -qx "$stage_image" <<<"$dangling_before" || podman rmi "$stage_image" >/dev/null 2>&1 || true
    done
  fi
}
trap cleanup EXIT

# 1. Lint.
log "linting the Dockerfile with dockerfile-utils"
if [ ! -d "$work/npm/node_modules/dockerfile-utils" ]; then
  npm install --prefix "$work/npm" --no-save --no-audit --no-fund --silent dockerfile-utils@0.16.3
fi
check "Dockerfile lint (dockerfile-utils, BACKEND=cpu and BACKEND=cuda): no warnings" \
  env NODE_PATH="$work/npm/node_modules" node deploy/lint-dockerfile.js Dockerfile

# 2. Stand-in base images, under the names the Dockerfile's arguments default to.
if ! podman image exists "$standin"; then
  log "making the stand-in base image with debootstrap ($mirror)"
  rootfs="$work/rootfs"
  rm -rf "$rootfs"
  debootstrap --variant=minbase --include=openjdk-17-jdk-headless,maven,ca-certificates \
    bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log"; exit 1; }
  # Where the Eclipse Temurin images keep their JDK, which the CUDA stage copies.
  mkdir -p "$rootfs/opt/java"
  ln -s /usr/lib/jvm/java-17-openjdk-amd64 "$rootfs/opt/java/openjdk"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import --quiet \
    --change 'ENV JAVA_HOME=/opt/java/openjdk' \
    --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$standin" >/dev/null
  rm -rf "$rootfs"
fi
for argument in BUILD_IMAGE JRE_IMAGE CUDA_IMAGE; do
  name=$(sed -n "s/^ARG ${argument}=//p" Dockerfile)
  [ -n "$name" ] || { log "the Dockerfile has no default for ${argument}"; exit 1; }
  podman tag "$standin" "$name"
done

# 3. Build. The image's Maven runs offline from this machine's repository (mounted as an overlay, so
# that the build cannot change it), which the wrapper fills first with what the build needs.
log "resolving the image build's Maven dependencies into $maven_repository"
./mvnw -B -ntp -q -Dmaven.repo.local="$maven_repository" -Dmaven.test.skip=true dependency:resolve package
log "building $image"
dangling_before=$(podman images --quiet --filter dangling=true)
build_started=$(date +%s)
# --skip-unused-stages=false: buildah cannot tell which stage "FROM runtime-\${BACKEND}" uses and
# would otherwise skip it.
podman build --pull=never --skip-unused-stages=false --format docker \
  --volume "$maven_repository:/maven-repository:O" \
  --build-arg MAVEN_EXTRA_ARGS="-o -Dmaven.repo.local=/maven-repository" \
  --tag "$image" . >"$work/build.log" 2>&1 \
  || { tail -n 40 "$work/build.log"; exit 1; }
log "image built in $(($(date +%s) - build_started)) s"

# 4. Run, as a pod with readOnlyRootFilesystem would: writable only /tmp and JavaCPP's cache (exec:
# JavaCPP loads the native libraries it unpacks there).
port=${CONTAINER_CHECK_PORT:-}
if [ -z "$port" ]; then
  for candidate in $(seq 18080 18180); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      port=$candidate
      break
    fi
  done
fi
podman rm --force --ignore "$container" >/dev/null 2>&1
# --health-interval disable: no systemd timer (there may be no systemd); the check runs it below.
podman run --detach --name "$container" --memory 1g --read-only --health-interval disable \
  --tmpfs /var/cache/javacpp:rw,exec,mode=1777,size=1g \
  --publish "127.0.0.1:$port:8080" "$image" >/dev/null
log "started on 127.0.0.1:$port"

url="http://127.0.0.1:$port"
ready=""
run_started=$(date +%s)
while [ $(($(date +%s) - run_started)) -lt 300 ]; do
  if [ "$(podman inspect --format '{{.State.Running}}' "$container")" != true ]; then
    podman logs "$container" 2>&1 | tail -n 40
    log "the container stopped"
    break
  fi
  readiness=$(curl -s -o /dev/null -w '%{http_code}' "$url/actuator/health/readiness" || true)
  if [ "$readiness" = 200 ]; then
    ready=/actuator/health/readiness
    break
  fi
  # A build without the Actuator health groups: GET /v1/backend answers once the backend is chosen.
  if [ "$readiness" = 404 ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/backend" || true)" = 200 ]; then
    ready=/v1/backend
    break
  fi
  sleep 1
done
check "ready (GET $ready 200) within 300 s: $(($(date +%s) - run_started)) s" test -n "$ready"
if [ -z "$ready" ]; then
  podman logs "$container" 2>&1 | tail -n 40
  log "$passed passed, $((failed)) failed"
  exit 1
fi

# The seed example (full-precision logits; PyTorch: 3.6503466).
seed='{"logits": [[0.29657507, 0.37199768, -0.77696386, -0.34608492, -0.97522074, 1.6493007, 0.5288561, 0.570293, 1.2381971, -0.42675203], [-0.94538414, -1.0840734, 0.11295679, 0.81490177, -0.28811437, -1.154883, -0.19231182, -0.38785625, 0.2279211, 2.0117142]], "targets": [2, 5], "epsilon": 0.1, "numClasses": 10}'
response=$(curl -s -H 'Content-Type: application/json' -d "$seed" "$url/v1/losses/cross-entropy" || true)
loss=$(printf '%s' "$response" | sed -n 's/.*"loss":\([-0-9.eE]*\).*/\1/p')
loss_is_seed_loss() {
  awk -v loss="$loss" 'BEGIN { d = loss - 3.650347; exit !(loss != "" && d <= 1e-5 && d >= -1e-5) }'
}
check "POST /v1/losses/cross-entropy with the seed example: loss ${loss:-missing} = 3.650347 +- 1e-5" loss_is_seed_loss
check "computed on the CPU backend" grep -q '"backend":"cpu"' <<<"$response"

uid=$(podman exec "$container" id -u)
check "the service runs as a non-root user (uid $uid)" test "$uid" -ne 0
image_user=$(podman image inspect --format '{{.User}}' "$image")
check "the image declares a non-root USER ($image_user)" test -n "$image_user" -a "${image_user%%:*}" != 0 -a "${image_user%%:*}" != root
check "the root file system is read-only to the service" \
  podman exec "$container" sh -c '! touch /app/written-by-the-check 2>/dev/null'

check "the JVM maps the class data sharing archive recorded at build time" \
  podman exec "$container" grep -q /app/application.jsa /proc/1/maps

healthcheck=$(podman image inspect --format '{{json .HealthCheck}}' "$image")
check "the image has a HEALTHCHECK on the liveness probe ($healthcheck)" grep -q loss-service-healthcheck <<<"$healthcheck"
check "podman healthcheck run: healthy" podman healthcheck run "$container"

# Heap = 40% of the 1 GiB limit (MaxRAMPercentage from the image's JDK_JAVA_OPTIONS).
max_heap=$(podman exec "$container" java -XX:+PrintFlagsFinal -version 2>/dev/null \
  | awk '$2 == "MaxHeapSize" { print $4 }')
heap_within_limit() { [ -n "$max_heap" ] && [ "$max_heap" -gt 300000000 ] && [ "$max_heap" -lt 500000000 ]; }
check "the JVM sizes its heap from the memory limit (MaxHeapSize ${max_heap:-missing} bytes of 1 GiB)" heap_within_limit

podman rm --force "$container" >/dev/null
check "the container is removed" sh -c "! podman container exists $container"

log "took $(($(date +%s) - started)) s"
log "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
