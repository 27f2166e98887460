#!/usr/bin/env bash
# Generates the Java (library native), Python and TypeScript (fetch) clients from openapi.yaml with OpenAPI
# Generator's default options, builds them, starts the service jar on a free loopback port, and through each
# client calls every loss of the document with its first example (the answer must be the documented one) and
# sends one invalid request (the 422's problem details must be readable through the client).
#
# Needs: the service jar (target/loss-service-*.jar, built by ./mvnw package or verify; built here if missing),
# a JDK 17, Node.js 20 with npm, and a Python 3 with pydantic 2, urllib3, python-dateutil, typing-extensions
# and PyYAML (PYTHON=... to choose one). Extra Maven options in MAVEN_ARGS (e.g. MAVEN_ARGS=-o).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/target"
mkdir -p "$out"
started=$SECONDS
step() { echo "== [$((SECONDS - started)) s] $*"; }

# ---- a Python that runs the generated client
python_ok() {
  "$1" - <<'PY' >/dev/null 2>&1
import dateutil, pydantic, typing_extensions, urllib3, yaml
assert int(pydantic.VERSION.split(".")[0]) >= 2
PY
}
python=""
for candidate in ${PYTHON:-} python3 "$HOME"/.pyenv/versions/3.1[1-9]*/bin/python /usr/bin/python3; do
  if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
    python="$(command -v "$candidate")"
    break
  fi
done
if [ -z "$python" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  step "installing Debian's pydantic, urllib3, dateutil, typing-extensions and yaml for Python 3"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq python3-pydantic \
    python3-urllib3 python3-dateutil python3-typing-extensions python3-yaml
  python_ok /usr/bin/python3 && python=/usr/bin/python3
fi
if [ -z "$python" ]; then
  echo "No Python 3 with pydantic 2, urllib3, python-dateutil, typing-extensions and PyYAML (Debian 12's" \
       "python3-pydantic is 1.x; Debian 13's is 2.x). Set PYTHON to one that has them." >&2
  exit 1
fi
step "Python for the generated client: $python ($("$python" -c 'import pydantic; print("pydantic", pydantic.VERSION)'))"

# ---- the service jar
jar="$(ls "$root"/target/loss-service-*.jar 2>/dev/null | head -n 1 || true)"
if [ -z "$jar" ]; then
  step "building the service jar"
  (cd "$root" && ./mvnw -B -ntp -q ${MAVEN_ARGS:-} package -DskipTests)
  jar="$(ls "$root"/target/loss-service-*.jar | head -n 1)"
fi

# ---- generate the three clients, compile the Java one with its checker
step "generating the clients from openapi.yaml (OpenAPI Generator, default options) and compiling the Java one"
if ! "$root/mvnw" -B -ntp ${MAVEN_ARGS:-} -f "$here/pom.xml" compile > "$out/generate.log" 2>&1; then
  cat "$out/generate.log"
  exit 1
fi

# ---- compile the TypeScript client with its checker
step "compiling the TypeScript client (tsc)"
cd "$here/typescript"
if ! [ node_modules/.package-lock.json -nt package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npx --no-install tsc -p tsconfig.json
cd "$root"

# ---- the service, on a free loopback port
step "starting $(basename "$jar") on 127.0.0.1"
log="$out/service.log"
: > "$log"   # there before the background job opens it
OMP_NUM_THREADS=1 java -jar "$jar" --server.port=0 --server.address=127.0.0.1 > "$log" 2>&1 &
service=$!
trap 'kill "$service" 2>/dev/null || true; wait "$service" 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 240); do
  port="$(sed -n 's/.*Tomcat started on port \([0-9]*\).*/\1/p' "$log" | head -n 1)"
  [ -n "$port" ] && break
  kill -0 "$service" 2>/dev/null || { cat "$log"; echo "The service stopped." >&2; exit 1; }
  sleep 0.5
done
[ -n "$port" ] || { cat "$log"; echo "The service did not start." >&2; exit 1; }
base="http://127.0.0.1:$port"
for _ in $(seq 1 120); do
  node -e "fetch('$base/v2/health/ready').then(r => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))" \
    && break
  sleep 0.5
done
step "service ready at $base"

# ---- every loss through each client
status=0
results="$out/results.txt"
: > "$results"
run() {
  "$@" | tee -a "$results" || status=1
}
step "Java client"
run java -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" lossservice.clients.GeneratedJavaClientCheck \
  "$base" "$root/openapi.yaml"
step "Python client"
run "$python" "$here/python/check_generated_client.py" "$base" "$root/openapi.yaml" "$out/generated/python"
step "TypeScript client"
run env NODE_PATH="$here/typescript/node_modules" node "$out/typescript/typescript/check.js" "$base" "$root/openapi.yaml"

passed=$(awk '/ client: [0-9]+ passed, [0-9]+ failed$/ { n += $(NF - 3) } END { print n + 0 }' "$results")
failed=$(awk '/ client: [0-9]+ passed, [0-9]+ failed$/ { n += $(NF - 1) } END { print n + 0 }' "$results")
step "done"
echo "generated-clients: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ] || status=1
exit $status
