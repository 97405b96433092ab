#!/usr/bin/env bash
# Installs the Debian packages the project needs on a fresh machine (run as root, or with sudo):
#  - postgresql-15: the real PostgreSQL server of tests, benchmarks and local development;
#  - tesseract-ocr with Russian, Uzbek (Latin) and Uzbek (Cyrillic) language data: OCR language data
#    is never fetched at run time; the native CLI is also the OCR benchmark's baseline.
#  - chromium: the browser of the public verification page tests (driven by playwright-core; never a
#    downloaded browser).
# Does nothing when everything is already installed.
set -euo pipefail

packages=(postgresql-15 tesseract-ocr tesseract-ocr-rus tesseract-ocr-uzb tesseract-ocr-uzb-cyrl chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a default cluster on 5432; the project starts its own servers where it needs them.
if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q '^15 *main'; then
  $sudo pg_ctlcluster 15 main stop 2>/dev/null || true
fi
echo "installed: ${missing[*]}"
