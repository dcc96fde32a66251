# Sourced by .ci/run: what the browser tests need. Debian's Chromium and ChromeDriver (apt)
# and axe-core (npm ci from tests/browser's lock file); then DSR_BROWSER_TESTS=1 switches
# the tests in tests/api/browser.rs on.
browser_setup() {
  if ! command -v chromedriver >/dev/null 2>&1 || ! [ -x /usr/bin/chromium ]; then
    echo "installing Chromium and ChromeDriver" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >&2
  fi
  (cd tests/browser && npm ci --no-audit --no-fund --silent)
  export DSR_BROWSER_TESTS=1
  export DSR_AXE_JS="$PWD/tests/browser/node_modules/axe-core/axe.min.js"
}
