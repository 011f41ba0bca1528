#!/usr/bin/env bash
# Installs what the test suite needs on a fresh machine, then runs the whole suite.
# Everything is installed only when missing, so a second run starts at once.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v java >/dev/null || need_apt+=(default-jre-headless)
command -v redis-server >/dev/null || need_apt+=(redis-server)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v xmllint >/dev/null || need_apt+=(libxml2-utils)
command -v node >/dev/null || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -f tests/node_modules/vnu-jar/build/dist/vnu.jar ] || [ ! -d tests/node_modules/axe-core ] \
   || [ ! -d tests/node_modules/playwright-core ] || [ ! -f tests/node_modules/lighthouse/cli/index.js ]; then
  echo "setup: installing npm packages for the browser, HTML and Lighthouse checks"
  (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi

export CONG_VNU_JAR="$PWD/tests/node_modules/vnu-jar/build/dist/vnu.jar"
export CONG_NODE_MODULES="$PWD/tests/node_modules"
export CONG_CHROMIUM="$(command -v chromium)"
exec cargo test --all-targets --no-fail-fast "$@"
