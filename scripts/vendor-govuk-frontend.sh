#!/usr/bin/env bash
# Refreshes the committed GOV.UK Frontend build (amends/core/static/govuk/) from the
# pinned npm release, checking the tarball against the registry's integrity hash.
# Only maintainers run this (it needs npm); `make run` and `make test` use the
# committed files, so neither Node.js nor a CDN is needed to run Amends.
set -euo pipefail
VERSION="6.0.0"
INTEGRITY="sha512-n1DUbQD6coHL3UkQS0yTbd4ziIxLBzkWBODVCjXMclSY7FvOGeHcTg3c72z6u7DQECQb0tfZofhPjGxPUOIizA=="
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack "govuk-frontend@${VERSION}" --silent >/dev/null
actual="sha512-$(openssl dgst -sha512 -binary "govuk-frontend-${VERSION}.tgz" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "govuk-frontend ${VERSION}: integrity mismatch (got ${actual})" >&2
  exit 1
fi
tar xzf "govuk-frontend-${VERSION}.tgz"
dest="$here/amends/core/static/govuk"
rm -rf "$dest"
mkdir -p "$dest"
cp package/dist/govuk/govuk-frontend.min.js "$dest/"
cp -r package/dist/govuk/assets "$dest/assets"
# The stylesheet points at /assets/; make its URLs relative so that it works under STATIC_URL.
sed 's#url(/assets/#url(assets/#g' package/dist/govuk/govuk-frontend.min.css > "$dest/govuk-frontend.min.css"
cp package/LICENSE.txt "$dest/LICENSE.txt" 2>/dev/null || true
echo "$VERSION" > "$dest/VERSION"
echo "GOV.UK Frontend ${VERSION} vendored into amends/core/static/govuk/"
