#!/bin/sh
# Entrypoint of busybox-app. "serve" (the default CMD) starts busybox httpd;
# anything else is run as a command, e.g. "docker run IMAGE ls -l /app".
set -e
. /etc/app/app.conf
port="${APP_PORT:-$port}"   # the ENV APP_PORT of the image wins
case "${1:-serve}" in
serve)
    echo "${greeting:-Hello}: busybox-app listening on port ${port}"
    exec httpd -f -v -p "${port}" -h "${root}"
    ;;
*)
    exec "$@"
    ;;
esac
