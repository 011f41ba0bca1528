#!/usr/bin/env bash
# Lighthouse on the home page and an article of the sample portal, mobile mode, with the
# Performance category too (which `cargo test` leaves out: it depends on the machine's
# load). Prints the four scores of each page and fails below Accessibility 100 or 95 for
# the others. Reports: target/tmp/accessibility/lighthouse/{home,article}.{html,json}.
# Not run by .ci/run; run `bash tests/setup.sh` once first to install the tools.
set -euo pipefail
cd "$(dirname "$0")/.."
export CONG_VNU_JAR="$PWD/tests/node_modules/vnu-jar/build/dist/vnu.jar"
export CONG_NODE_MODULES="$PWD/tests/node_modules"
export CONG_CHROMIUM="$(command -v chromium || true)"
export CONG_LIGHTHOUSE_PERFORMANCE=1
exec cargo test --test accessibility lighthouse -- --nocapture "$@"
