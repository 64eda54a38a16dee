#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine that has only Node 20 and npm: system packages, pnpm, the workspace, a build.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1

# Fashion-MNIST (Debian's copy), and what headless-gl needs to build and to get a GL context (Xvfb, Mesa).
mapfile -t apt_packages < <(grep -v '^#' scripts/system-packages.txt)
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# corepack cannot verify pnpm's signature here, so pnpm comes from npm.
if [ "$(pnpm --version 2>/dev/null)" != "12.4.2" ]; then npm install -g pnpm@12.4.2; fi

# gl (headless-gl) builds from source against Node's own headers.
npm_config_nodedir="${npm_config_nodedir:-/usr}" pnpm install --frozen-lockfile
pnpm build
