#!/bin/sh
# Install the Debian packages powercoach needs, when they are missing.
#   scripts/system-packages.sh lab    bubblewrap (the grading sandbox), python3-venv
#   scripts/system-packages.sh test   the same, plus chromium (browser tests) and npm (the hub
#                                     test's configurable-http-proxy)
# As root it runs apt-get; otherwise sudo apt-get. Where neither can work it stops, printing the
# one command to run, before anything else runs. PYTHON names the interpreter make uses.
set -eu
goal="${1:-test}"
python="${PYTHON:-python3}"
missing=""
need() {  # need COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 || missing="$missing $2"
}
need bwrap bubblewrap
# Debian's python3 makes venvs only with python3-venv (it holds ensurepip).
if command -v "$python" >/dev/null 2>&1 && ! "$python" -c 'import ensurepip' >/dev/null 2>&1; then
  missing="$missing python3-venv"
fi
if [ "$goal" = test ]; then
  need chromium chromium
  need npm npm
fi
[ -z "$missing" ] && exit 0

install="apt-get install -y$missing"
say_how() {
  echo "powercoach needs the Debian packages$missing: run 'sudo apt-get update && sudo $install', then make $goal again." >&2
  exit 1
}
command -v apt-get >/dev/null 2>&1 || say_how
if [ "$(id -u)" = 0 ]; then
  run=""
elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
  run="sudo"  # without a terminal, only a password-less sudo can work
else
  say_how
fi
echo "Installing the Debian packages powercoach needs:$missing"
$run env DEBIAN_FRONTEND=noninteractive apt-get update -qq || say_how
$run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$missing >/dev/null || say_how
