#!/usr/bin/env bash
# Install the Debian packages the tests use when they are missing: Chromium for the browser test
# (Playwright never downloads a browser; the test points it at /usr/bin/chromium), CJK fonts so
# Korean pages render in its screenshots, gettext for the translation checks, and Kannel with its
# fake SMS center (fakesmsc) for the Kannel gateway tests. Without root, say
# what is missing and go on: those tests then skip, or fail under VECINOS_REQUIRE_ALL=1.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
command -v msgfmt >/dev/null || missing+=(gettext)
[ -x /usr/sbin/bearerbox ] || missing+=(kannel)
[ -x /usr/lib/kannel/test/fakesmsc ] || missing+=(kannel-extras)
[ ${#missing[@]} = 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages (need root to install): ${missing[*]}" >&2
  exit 0
fi
echo "Installing ${missing[*]} for the tests…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
