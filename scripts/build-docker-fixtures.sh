#!/usr/bin/env bash
# build-docker-fixtures.sh - a genuine-Docker corpus: archives written by `docker save` and the
# text Docker itself prints about them, for tests/unit/docker-genuine.test.ts.
#
# Usage:  sudo bash scripts/build-docker-fixtures.sh      (root: it runs a private dockerd)
#
# Installs (if missing) Debian's docker.io containerd runc busybox-static, runs a private daemon
# with no networking (data root under a temp dir, overlay2, no iptables, no bridge), builds small
# FROM-scratch images with Debian's static busybox (legacy builder and BuildKit, --network none),
# saves them, loads each archive into a FRESH daemon (new data root: on a reused daemon the build
# cache keeps layers alive and `history` shows build-time sizes) and captures Docker's own
# `image ls`, `history`, `image inspect`, `diff` and `ps -s` output beside each archive. Every
# captured command is recorded in commands.json with the instant it ran (`date +%s.%N` before
# and after) so the tests can pin the clock for relative times ("5 seconds ago").
#
# Output: tests/fixtures/docker/<archive>/{<archive>.tar,commands.json,out/*.txt}.
# Docker output is not byte-reproducible from run to run (IDs, times); re-running replaces the
# whole corpus, and the tests read only what was captured with it.
#
# Uses /usr/bin/docker (Debian's 20.10 client) explicitly: another client earlier in PATH would
# print its own version's tables.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$REPO/tests/fixtures/docker
DOCKER=/usr/bin/docker
DOCKERD=/usr/sbin/dockerd
# A second, newer genuine client (docker/cli formats the tables on the client side: 23.0 and later
# measure table cells in display width, 20.10 counts runes). Its captures go to out-modern/;
# MODERN_DOCKER= (empty) skips them.
MODERN=${MODERN_DOCKER-/usr/local/bin/docker}
[[ -n $MODERN && ! -x $MODERN ]] && MODERN=
# CAPTURE_ONLY=1: keep the committed archives and their container captures, capture the image
# commands again (e.g. with another client).
CAPTURE_ONLY=${CAPTURE_ONLY:-0}
# A uid and gid with no passwd/group entry: Docker writes the host's user and group names into
# layer headers, and the client runs the builds as this uid (README of ../shared).
BUILD_UID=4242

export LC_ALL=C.UTF-8
umask 022
START=$(date +%s)
log() { printf '[docker-fixtures %3ss] %s\n' "$(($(date +%s) - START))" "$*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}
[[ $(id -u) == 0 ]] || die "run as root (a private dockerd)"
getent passwd "$BUILD_UID" >/dev/null && die "uid $BUILD_UID has a passwd entry; pick another"

if ! [[ -x $DOCKER && -x $DOCKERD ]] || ! command -v containerd >/dev/null ||
    ! command -v runc >/dev/null || ! [[ -x /bin/busybox ]]; then
    log "installing docker.io containerd runc busybox-static"
    # Keep the postinst from starting a system docker service.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io containerd runc busybox-static
fi
file -L /bin/busybox | grep -q 'statically linked' || die "/bin/busybox must be busybox-static"
for tool in jq setpriv; do command -v "$tool" >/dev/null || die "missing tool: $tool"; done

WORK=$(mktemp -d /tmp/layerscope-docker.XXXXXX)
chmod 755 "$WORK"
DPID=
stop_daemon() {
    if [[ -n $DPID ]]; then
        kill "$DPID" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
        DPID=
    fi
    findmnt -rn -o TARGET | awk -v w="$WORK/" 'index($0, w) == 1' | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
cleanup() {
    local rc=$?
    stop_daemon
    if [[ ${KEEP_WORK:-0} == 1 || $rc != 0 ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# start_daemon NAME: a private dockerd with its own data root, no networking.
start_daemon() {
    stop_daemon
    D=$WORK/$1
    mkdir -p "$D"
    "$DOCKERD" --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/pid" -H "unix://$D/sock" \
        --iptables=false --ip-masq=false --ip-forward=false --bridge=none \
        --storage-driver overlay2 >"$D/dockerd.log" 2>&1 &
    DPID=$!
    for _ in $(seq 300); do
        [[ -S $D/sock ]] && "$DOCKER" -H "unix://$D/sock" version >/dev/null 2>&1 && break
        sleep 0.1
    done
    "$DOCKER" -H "unix://$D/sock" version >/dev/null || die "dockerd did not start: $D/dockerd.log"
    chmod 666 "$D/sock"
    log "daemon $1 up"
}
dk() { DOCKER_CONFIG=$WORK/client "$DOCKER" -H "unix://$D/sock" "$@"; }
# As the uid with no passwd entry.
dk_user() {
    setpriv --reuid="$BUILD_UID" --regid="$BUILD_UID" --clear-groups \
        env HOME="$WORK/home" DOCKER_CONFIG="$WORK/home/.docker" "$DOCKER" -H "unix://$D/sock" "$@"
}
mkdir -p "$WORK/client" "$WORK/home"
chown "$BUILD_UID:$BUILD_UID" "$WORK/home"

# cap DIR FILE TZ -- docker args...: run `docker ARGS` with the client $CLIENT (stdout only, as
# Docker prints it) into DIR/$OUTDIR/FILE, and append {file, client, args, tz, before, after} to
# DIR/commands.jsonl.
CLIENT=$DOCKER
OUTDIR=out
cap() {
    local dir=$1 file=$2 tz=$3
    shift 4
    mkdir -p "$dir/$OUTDIR"
    local before after version
    version=$("$CLIENT" version --format '{{.Client.Version}}' 2>/dev/null || true)
    before=$(date +%s.%N)
    TZ=$tz DOCKER_CONFIG=$WORK/client "$CLIENT" -H "unix://$D/sock" "$@" >"$dir/$OUTDIR/$file"
    after=$(date +%s.%N)
    jq -cn --arg file "$OUTDIR/$file" --arg client "$version" --arg tz "$tz" \
        --argjson before "$before" --argjson after "$after" '{file: $file, client: $client,
        args: $ARGS.positional, tz: $tz, before: $before, after: $after}' --args -- "$@" \
        >>"$dir/commands.jsonl"
}

# capture_images DIR REF...: what Docker prints about the loaded archive and each image.
capture_images() {
    local dir=$1
    shift
    CLIENT=$DOCKER OUTDIR=out capture_with "$dir" "$@"
    local i=0 ref
    for ref in "$@"; do
        i=$((i + 1))
        jq -cn --arg ref "$ref" --argjson n "$i" '{ref: $ref, n: $n}' >>"$dir/refs.jsonl"
    done
    if [[ -n $MODERN ]]; then CLIENT=$MODERN OUTDIR=out-modern capture_with "$dir" "$@"; fi
}
capture_with() {
    local dir=$1
    shift
    cap "$dir" image-ls.txt UTC -- image ls
    cap "$dir" image-ls-a.txt UTC -- image ls -a
    cap "$dir" image-ls-no-trunc.txt UTC -- image ls --no-trunc
    cap "$dir" image-ls-a-no-trunc.txt UTC -- image ls -a --no-trunc
    cap "$dir" image-ls-digests.txt UTC -- image ls --digests
    cap "$dir" image-ls-dangling-true.txt UTC -- image ls --filter dangling=true
    cap "$dir" image-ls-dangling-false.txt UTC -- image ls --filter dangling=false
    cap "$dir" image-ls-format-repo-tag.txt UTC -- image ls --format '{{.Repository}}:{{.Tag}}'
    cap "$dir" image-ls-format-table.txt UTC -- image ls --format \
        'table {{.ID}}\t{{.Repository}}\t{{.Tag}}\t{{.CreatedSince}}\t{{.Size}}'
    cap "$dir" image-ls-format-json.txt UTC -- image ls --format '{{json .}}'
    local i=0 ref
    for ref in "$@"; do
        i=$((i + 1))
        cap "$dir" "history-$i.txt" UTC -- image history "$ref"
        cap "$dir" "history-$i-no-trunc.txt" UTC -- image history --no-trunc "$ref"
        cap "$dir" "history-$i-human-false.txt" UTC -- image history --human=false "$ref"
        cap "$dir" "history-$i-human-false-shanghai.txt" Asia/Shanghai -- \
            image history --human=false "$ref"
        cap "$dir" "inspect-$i.json" UTC -- image inspect "$ref"
    done
}

# finish DIR: commands.json from the jsonl files, with the Docker version.
finish() {
    local dir=$1
    jq -n --arg version "$(dk version --format '{{.Server.Version}}')" \
        --slurpfile commands "$dir/commands.jsonl" --slurpfile refs "$dir/refs.jsonl" \
        '{dockerVersion: $version, refs: $refs, commands: $commands}' >"$dir/commands.json"
    rm -f "$dir/commands.jsonl" "$dir/refs.jsonl"
}

if [[ $CAPTURE_ONLY == 1 ]]; then
    refs() { jq -r '.refs[].ref' "$OUT/$1/commands.json"; }
    mapfile -t LEGACY_REFS < <(refs legacy)
    for d in legacy buildkit commit; do
        [[ -f $OUT/$d/commands.json ]] || continue
        rm -rf "$OUT/$d/out-modern" "$OUT/$d/commands.json" "$OUT/$d"/out/{image-ls,history,inspect}*
    done
    BUILDKIT=0
    [[ -f $OUT/buildkit/buildkit.tar ]] && BUILDKIT=1
else
rm -rf "$OUT"/legacy "$OUT"/buildkit "$OUT"/commit
mkdir -p "$OUT"

# ---------------------------------------------------------------------------------------------
# 1. Build everything in one daemon.
start_daemon build
CTX=$WORK/ctx
mkdir -p "$CTX/base" "$CTX/app" "$CTX/child" "$CTX/dangling" "$CTX/bk"
cp /bin/busybox "$CTX/base/busybox"
cp /bin/busybox "$CTX/bk/busybox"
cat >"$CTX/base/Dockerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /etc /tmp /srv/keep /srv/gone /srv/opaque/old && echo one > /srv/keep/a.txt && echo bye > /srv/gone/x && echo old > /srv/opaque/old/f && echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd
EOF
cat >"$CTX/app/Dockerfile" <<'EOF'
FROM ls-base:1
ENV GREETING=hello PATH=/bin
LABEL org.example.purpose="layerscope fixture" maintainer="fixtures@example.com"
WORKDIR /srv
RUN echo two >> keep/a.txt && rm -rf gone && rm -rf opaque && mkdir -p opaque/new && echo new > opaque/new/f
RUN echo grüß > 'grüße-日本.txt' && ln keep/a.txt keep/hard.txt && ln -s keep/a.txt link && touch owned && chown 4242:4242 owned
RUN sleep 1
CMD ["sh", "-c", "echo $GREETING"]
EOF
cat >"$CTX/child/Dockerfile" <<'EOF'
FROM ls-base:1
CMD ["sh"]
EOF
# The same tag built twice: the first image is left dangling.
printf 'FROM ls-base:1\nRUN echo first > /first\n' >"$CTX/dangling/Dockerfile"
cat >"$CTX/bk/Dockerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN mkdir -p /srv/keep /srv/gone /srv/opaque/old && echo one > /srv/keep/a.txt && echo bye > /srv/gone/x && echo old > /srv/opaque/old/f
ENV GREETING=hello
LABEL org.example.purpose="layerscope fixture"
WORKDIR /srv
RUN echo two >> keep/a.txt && rm -rf gone && rm -rf opaque && mkdir -p opaque/new && echo new > opaque/new/f && echo grüß > 'grüße-日本.txt' && ln keep/a.txt keep/hard.txt && ln -s keep/a.txt link
CMD ["sh"]
EOF
chown -R "$BUILD_UID:$BUILD_UID" "$CTX"

# docker image ls sorts by Created in whole seconds, and ties come out in random order (Go's
# sort.Sort over a map's images): a second between builds keeps the corpus's order defined.
legacy_build() {
    sleep 1.1
    DOCKER_BUILDKIT=0 dk_user build -q --network none "$@"
}
legacy_build -t ls-base:1 "$CTX/base" >/dev/null
legacy_build -t ls-app:1 "$CTX/app" >/dev/null
# Three tags of one repository: the rows of tags of different repositories come out in Go map
# order (random) in docker/cli's imageFormatTaggedAndDigest.
dk tag ls-app:1 ls-app:2
dk tag ls-app:1 ls-app:latest
legacy_build -t ls-child:1 "$CTX/child" >/dev/null
legacy_build -t ls-dangling:1 "$CTX/dangling" >/dev/null
DANGLING=$(dk image inspect --format '{{.Id}}' ls-dangling:1)
printf 'FROM ls-base:1\nRUN echo second > /second\n' >"$CTX/dangling/Dockerfile"
legacy_build -t ls-dangling:1 "$CTX/dangling" >/dev/null
dk image rm ls-dangling:1 >/dev/null
# The parent of ls-app:1 (the image of its RUN step before CMD): untagged and an intermediate
# image once loaded beside ls-app.
INTERMEDIATE=$(dk image inspect --format '{{.Parent}}' ls-app:1)
[[ -n $INTERMEDIATE ]] || die "ls-app:1 has no parent (legacy builder expected)"
log "legacy images built (dangling ${DANGLING:7:12}, intermediate ${INTERMEDIATE:7:12})"

mkdir -p "$OUT/legacy" "$OUT/buildkit" "$OUT/commit"
# ls-base:1 with its child ls-child:1 (saved with its parent), ls-app tagged three times with
# its untagged parent (saved by ID), a dangling image saved by ID.
dk save -o "$OUT/legacy/legacy.tar" ls-base:1 ls-child:1 ls-app:1 ls-app:2 ls-app:latest \
    "$INTERMEDIATE" "$DANGLING"

BUILDKIT=0
if DOCKER_BUILDKIT=1 dk_user build -q --network none -t ls-buildkit:1 "$CTX/bk" \
    >"$WORK/buildkit.log" 2>&1; then
    BUILDKIT=1
    dk save -o "$OUT/buildkit/buildkit.tar" ls-buildkit:1
    log "BuildKit image built"
else
    log "BuildKit build failed (offline?): $(tail -3 "$WORK/buildkit.log")"
    rmdir "$OUT/buildkit"
fi
    LEGACY_REFS=(ls-base:1 ls-child:1 ls-app:1 "$INTERMEDIATE" "$DANGLING")
fi

# ---------------------------------------------------------------------------------------------
# 2. Each archive in a fresh daemon.
start_daemon load-legacy
dk load -q -i "$OUT/legacy/legacy.tar" >/dev/null
capture_images "$OUT/legacy" "${LEGACY_REFS[@]}"
finish "$OUT/legacy"

C=$OUT/commit
if [[ $CAPTURE_ONLY != 1 ]]; then

# A container of ls-base:1, changed and committed, in the same fresh daemon.
CID=$(dk run -d --network none ls-base:1 sh -c 'sleep 1; echo three >> /srv/keep/a.txt &&
  rm -rf /srv/gone && rm -rf /srv/opaque && mkdir -p /srv/opaque/again && echo again > /srv/opaque/again/g &&
  echo grüß > /srv/ünï.txt && ln /srv/keep/a.txt /srv/hard && ln -s keep/a.txt /srv/sym &&
  rm /bin/vi && mkdir /data && echo 0123456789 > /data/ten;
  exec sleep 3600')
sleep 3
cap "$C" diff.txt UTC -- diff "$CID"
cap "$C" ps-s.txt UTC -- ps -s
cap "$C" ps-s-no-trunc.txt UTC -- ps -s --no-trunc
dk commit "$CID" ls-committed:1 >/dev/null
dk rm -f "$CID" >/dev/null
dk save -o "$C/commit.tar" ls-committed:1
: >"$C/refs.jsonl"
finish "$C"
mv "$C/commands.json" "$C/container-commands.json"
fi

# A second container of ls-base:1 whose changes are all ones layerscope's container view can make
# (no hard link: it has no `ln`), for tests/unit/docker-container.test.ts: its `docker diff`,
# `ps -s`, and from the `docker commit` only the new layer's tar, the config and manifest.json
# (the rest of the image is legacy.tar's ls-base:1). Re-made on every run, CAPTURE_ONLY too.
V=$OUT/container
rm -rf "$V"
mkdir -p "$V"
cat >"$V/changes.sh" <<'CHANGES'
echo three >> /srv/keep/a.txt
rm -rf /srv/gone
rm -rf /srv/opaque
mkdir -p /srv/opaque/again
echo again > /srv/opaque/again/g
echo grüß > /srv/ünï.txt
ln -s keep/a.txt /srv/sym
rm /bin/vi
rm /bin/ls
mkdir /data
echo 0123456789 > /data/ten
chmod 600 /etc/passwd
CHANGES
# The script goes in the command line: a bind mount would add its mount point to the diff.
CID=$(dk run -d --network none ls-base:1 sh -c "sleep 1; set -e; $(cat "$V/changes.sh"); exec sleep 3600")
sleep 3
cap "$V" diff.txt UTC -- diff "$CID"
cap "$V" ps-s.txt UTC -- ps -s
cap "$V" ps-s-no-trunc.txt UTC -- ps -s --no-trunc
before=$(date +%s.%N)
dk commit "$CID" ls-view:1 >/dev/null
after=$(date +%s.%N)
jq -cn --argjson before "$before" --argjson after "$after" \
    '{file: "", client: "", args: ["commit", "CONTAINER", "ls-view:1"], tz: "UTC",
    before: $before, after: $after}' >>"$V/commands.jsonl"
dk rm -f "$CID" >/dev/null
dk save -o "$WORK/view.tar" ls-view:1
mkdir "$WORK/view"
tar -xf "$WORK/view.tar" -C "$WORK/view"
cp "$WORK/view/manifest.json" "$V/manifest.json"
cp "$WORK/view/$(jq -r '.[0].Config' "$V/manifest.json")" "$V/config.json"
cp "$WORK/view/$(jq -r '.[0].Layers[-1]' "$V/manifest.json")" "$V/layer.tar"
: >"$V/refs.jsonl"
finish "$V"
log "container captured"

start_daemon load-commit
dk load -q -i "$C/commit.tar" >/dev/null
capture_images "$C" ls-committed:1
finish "$C"

if [[ $BUILDKIT == 1 ]]; then
    start_daemon load-buildkit
    dk load -q -i "$OUT/buildkit/buildkit.tar" >/dev/null
    capture_images "$OUT/buildkit" ls-buildkit:1
    finish "$OUT/buildkit"
fi
stop_daemon

chmod 644 "$OUT"/*/*.tar "$OUT"/*/*.json
du -sh "$OUT"
log "done: $OUT ($(du -sb "$OUT" | cut -f1) bytes)"
