#!/usr/bin/env bash
# The test command (`npm test`): makes sure the Debian packages the tests need are there, typechecks,
# checks the import layers, then runs the unit, integration and e2e tests with Node's test runner.
# Usage: scripts/test.sh [test file or directory ...]   (default: test/unit test/integration test/e2e)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(mariadb-server mariadb-client librdkafka-dev etcd-server chromium python3-pysolr python3-requests gcc)

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      echo "$p"
    fi
  done
}

if ! command -v dpkg-query >/dev/null; then
  echo "test.sh: cannot check system packages (no dpkg-query). The tests need the Debian packages: ${PACKAGES[*]}" >&2
  exit 1
fi
mapfile -t missing < <(missing_packages)
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) == 0 && -f /etc/debian_version ]] && command -v apt-get >/dev/null; then
    echo "test.sh: installing missing Debian packages: ${missing[*]}"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  else
    echo "test.sh: the tests need these Debian packages, which are missing: ${missing[*]}" >&2
    echo "         install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit

echo "== native extension (tsrank)"
node scripts/build-native.mjs

echo "== import layers"
node scripts/check-imports.mjs

# Node 20's --test does not expand globs, so collect the files here.
targets=("$@")
if ((${#targets[@]} == 0)); then
  for d in test/unit test/integration test/e2e; do
    [[ -d $d ]] && targets+=("$d")
  done
fi
files=()
for t in "${targets[@]}"; do
  if [[ -d $t ]]; then
    mapfile -t found < <(find "$t" -type f -name '*.test.ts' -not -path '*/node_modules/*' | sort)
    files+=("${found[@]}")
  elif [[ -f $t ]]; then
    files+=("$t")
  else
    echo "test.sh: no such test file or directory: $t" >&2
    exit 1
  fi
done
if ((${#files[@]} == 0)); then
  echo "test.sh: found no *.test.ts files in: ${targets[*]}" >&2
  exit 1
fi

echo "== tests (${#files[@]} files)"
# A hung test fails after 5 minutes instead of eating the whole CI budget.
exec node --import tsx --test --test-concurrency=2 --test-timeout=300000 "${files[@]}"
