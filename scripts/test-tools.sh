#!/usr/bin/env bash
# Installs what the end-to-end tests drive besides Python: NGINX, Chromium and redis-server (Debian
# packages) and newman (npm, pinned in postman/package-lock.json). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test tools: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test tools: ${missing[*]} missing and not root; those tests will be skipped (CI installs them)" >&2
  fi
fi

if [ ! -x postman/node_modules/.bin/newman ] || [ postman/package-lock.json -nt postman/node_modules/.bin/newman ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "test tools: installing newman"
    npm ci --prefix postman --no-audit --no-fund --loglevel=error
  else
    echo "test tools: npm missing; the newman test will be skipped (CI has npm)" >&2
  fi
fi
