#!/usr/bin/env bash
# Runs every test of loss-service: the container check (deploy/container-check.sh), ShellCheck, pyflakes, the
# OpenAPI linters, ./mvnw verify (unit, HTTP, gRPC, browser, Python client and chart tests) and the clients generated
# from openapi.yaml. On a Debian machine with nothing but a JDK it first installs what the tests need and is missing
# (with apt-get; as root, or through sudo): Chromium and its driver, Python 3 with numpy, venv and grpcio, mypy,
# pyflakes, protoc, Node.js and npm, podman and its companions, ShellCheck, wget and curl.
#
#   ./test.sh                 # everything
#   SKIP_CONTAINER_CHECK=1 ./test.sh   # without building and running the container image (about 9 minutes)
set -euo pipefail
cd "$(dirname "$0")"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "test.sh: missing packages and no root access to install them: $*" >&2
    exit 1
  fi
}

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@"
}

# Installs the Debian packages whose check (a shell condition) fails.
need() {  # need PACKAGES... -- CHECK
  local packages=()
  while [ "$1" != "--" ]; do packages+=("$1"); shift; done
  shift
  if ! eval "$*" >/dev/null 2>&1; then
    apt_install "${packages[@]}"
  fi
}

# A JDK 17 or newer (the build targets Java 17).
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1 || true)
if [ -z "$java_major" ] || [ "$java_major" -lt 17 ] || ! command -v javac >/dev/null 2>&1; then
  apt_install openjdk-17-jdk-headless
fi

need python3 python3-numpy -- 'python3 -c "import numpy"'                  # PythonClientTests
need python3-venv python3-wheel -- 'python3 -m venv --help && python3 -c "import wheel"'  # the client's install test
need mypy -- 'command -v mypy'                                              # PythonClientTests (mypy --strict)
need python3-grpcio python3-protobuf protobuf-compiler -- '/usr/bin/python3 -c "import grpc, google.protobuf" && command -v protoc'  # PythonGrpcClientTests
need chromium chromium-driver -- '[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]'  # SwaggerUiBrowserTests
need wget -- 'command -v wget'                                              # HelmTestPodTests
need curl -- 'command -v curl'
need nodejs npm -- 'command -v npm'                                         # the Dockerfile lint
need shellcheck -- 'command -v shellcheck'                                 # the scripts' lint
need python3-pyflakes -- '/usr/bin/python3 -c "import pyflakes"'            # the Python files' lint

if [ -z "${SKIP_CONTAINER_CHECK:-}" ]; then
  need podman buildah runc debootstrap -- 'command -v podman && command -v buildah && command -v runc && command -v debootstrap'
  bash deploy/container-check.sh
fi

# The shell scripts: ShellCheck, no warning allowed.
find . -name node_modules -prune -o -name target -prune -o -name '.*' ! -name . -prune -o -name '*.sh' -print0 \
  | xargs -0 shellcheck --severity=warning .ci/run

# The Python files (the client, its tests and examples, the checks and benchmarks): pyflakes, nothing to report.
find . -name node_modules -prune -o -name target -prune -o -name '.*' ! -name . -prune -o -name '*.py' -print0 \
  | xargs -0 /usr/bin/python3 -m pyflakes

# The OpenAPI document: Spectral (spectral:oas) and Redocly (recommended), no error allowed.
bash tools/openapi-lint/lint.sh

./mvnw -B -ntp verify

# Clients generated from openapi.yaml (Java, Python, TypeScript; OpenAPI Generator's defaults), each calling
# every loss of the service jar just built, on a free loopback port.
bash tools/generated-clients/run.sh
