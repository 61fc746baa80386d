#!/usr/bin/env bash
# Sourced by the smoke scripts: ensure_tool PACKAGE installs a Debian package (no recommends) when possible, refreshing
# the package lists once if the first attempt fails (a fresh machine may have none). Never fails: callers check for
# the tool afterwards and skip, saying so, when it is still missing.
ensure_tool() {
  local pkg=$1
  try() { apt-get install -y --no-install-recommends "$pkg" >/dev/null 2>&1 || sudo -n apt-get install -y --no-install-recommends "$pkg" >/dev/null 2>&1; }
  try || { (apt-get update >/dev/null 2>&1 || sudo -n apt-get update >/dev/null 2>&1) && try; } || true
}
