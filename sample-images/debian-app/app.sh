#!/bin/bash
# debian-app: prints its settings and a few facts about the image it runs in.
set -euo pipefail
source "${APP_CONF:-/etc/app.conf}"
echo "${GREETING} (running as $(id -un), uid $(id -u))"
echo "Debian $(cat /etc/debian_version), $(dpkg-query -f '.' -W | wc -c) packages installed"
