#!/usr/bin/env bash
# build-samples.sh - build layerscope's sample image archives and their oracle files.
#
# Usage:  sudo bash scripts/build-samples.sh          (must run as root)
#
# Builds every image in fresh private container storage under a temporary work
# dir (kernel overlay driver, the only one that writes opaque whiteouts), saves
# the archives into sample-images/, and writes for each archive X.tar an
# X.expected.json computed only by independent tools (skopeo, podman, umoci,
# GNU tar, gzip, zstd, sha256sum, jq) - never by layerscope's own code.
#
# Needs (Debian bookworm): apt-get install -y buildah podman skopeo umoci jq zstd \
#     busybox-static debootstrap gcc openssl
#
# Reproducible: buildah bud --timestamp 0 --identity-label=false into fresh storage,
# deterministic inputs, tar --sort=name --mtime=@0 for OCI layouts. Rebuilding gives
# byte-identical archives as long as the tool versions, /bin/busybox and the cached
# Debian rootfs are the same. The debootstrapped rootfs is cached in
# $LAYERSCOPE_SAMPLES_CACHE (default /var/tmp/layerscope-samples-cache); delete it to
# re-run debootstrap (which then picks up the current bookworm packages).
#
# Environment: KEEP_WORK=1 keeps the work dir; DEBIAN_MIRROR overrides the mirror.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$REPO/sample-images
CACHE=${LAYERSCOPE_SAMPLES_CACHE:-/var/tmp/layerscope-samples-cache}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
MAX_TOTAL_BYTES=$((80 * 1000 * 1000))
MAX_DEBIAN_BYTES=$((60 * 1000 * 1000))
SEED_BYTES=$((4 * 1024 * 1024))

export LC_ALL=C.UTF-8 TZ=UTC
umask 022
START=$(date +%s)

log() { printf '[build-samples %3ss] %s\n' "$(($(date +%s) - START))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) == 0 ]] || die "run as root (buildah/podman storage, umoci unpack)"
for tool in buildah podman skopeo umoci debootstrap jq zstd gzip gcc openssl sha256sum tar find findmnt file od; do
    command -v "$tool" >/dev/null || die "missing tool: $tool"
done
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -qw overlay /proc/filesystems ||
    die "the kernel overlay filesystem is needed (only it writes opaque whiteouts .wh..wh..opq)"
BUSYBOX=/bin/busybox
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
    die "$BUSYBOX must be Debian's static busybox (apt-get install busybox-static)"

WORK=$(mktemp -d /tmp/layerscope-samples.XXXXXX)
cleanup() {
    local rc=$?
    # Containers storage leaves overlay and bind mounts below its graphroot.
    findmnt -rn -o TARGET | awk -v w="$WORK/" 'index($0, w) == 1' | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null || true; done
    if [[ ${KEEP_WORK:-0} == 1 || $rc != 0 ]]; then
        log "work dir kept: $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
mkdir -p "$WORK"/{ctx,out,expect,stores,logs,oci}
LOG=$WORK/logs/build.log
log "work dir $WORK"

# quiet CMD...: run, keep output in the log, show its tail on failure.
quiet() {
    if ! "$@" >>"$LOG" 2>&1; then
        tail -n 40 "$LOG" >&2
        die "failed: $*"
    fi
}

# ---------------------------------------------------------------- private storages
# new_store NAME: a fresh containers-storage (overlay) + podman tmpdir.
new_store() {
    local d=$WORK/stores/$1
    mkdir -p "$d/tmp"
    cat >"$d/storage.conf" <<CONF
[storage]
driver = "overlay"
runroot = "$d/run"
graphroot = "$d/graph"
CONF
}
# in_store NAME CMD...: run CMD with that storage.
in_store() {
    local d=$WORK/stores/$1
    shift
    CONTAINERS_STORAGE_CONF=$d/storage.conf "$@"
}
# pod NAME ARGS...: podman on that storage.
pod() {
    local d=$WORK/stores/$1
    shift
    CONTAINERS_STORAGE_CONF=$d/storage.conf podman --tmpdir "$d/tmp" \
        --events-backend none --cgroup-manager cgroupfs "$@"
}

# ---------------------------------------------------------------- build contexts
# Copy each context out of the repo, so that generated files never land in it.
for c in hello busybox-base busybox-app multi-app debian-base debian-app; do
    cp -r "$OUT/$c" "$WORK/ctx/$c"
done
# Normalize modes (a git checkout's modes depend on the umask).
find "$WORK/ctx" -type d -exec chmod 0755 {} +
find "$WORK/ctx" -type f -exec chmod 0644 {} +
chmod 0755 "$WORK/ctx/busybox-app/app/bin/entrypoint.sh" "$WORK/ctx/debian-app/app.sh"

log "compiling hello.c"
(cd "$WORK/ctx/hello" &&
    gcc -static -Os -s -nostdlib -fno-asynchronous-unwind-tables -fno-stack-protector \
        -Wl,--build-id=none -o hello hello.c)
install -m 0755 "$BUSYBOX" "$WORK/ctx/busybox-base/busybox"
# 4 MiB of pseudo-random but deterministic bytes: the AES-128-CTR keystream of a fixed
# key (incompressible, so it also wastes 4 MiB in the gzip/zstd variants).
head -c "$SEED_BYTES" /dev/zero |
    openssl enc -aes-128-ctr -nosalt -K 6c6179657273636f70652d7365656421 \
        -iv 00000000000000000000000000000000 >"$WORK/ctx/busybox-app/seed-data.bin"

# ---------------------------------------------------------------- Debian rootfs (cached)
DEBIAN_OK=1
ROOTFS_TAR=$CACHE/debian-bookworm-minbase-rootfs.tar
if [[ ! -s $ROOTFS_TAR ]]; then
    log "debootstrap --variant=minbase bookworm (cache miss, ~1 min)"
    mkdir -p "$CACHE"
    R=$WORK/debootstrap/rootfs
    mkdir -p "$R"
    # SOURCE_DATE_EPOCH (bookworm's release day) fixes the password-change day that
    # shadow-utils writes into /etc/shadow; otherwise it is the day of the build.
    if SOURCE_DATE_EPOCH=1686355200 debootstrap --variant=minbase bookworm "$R" "$DEBIAN_MIRROR" \
        >"$WORK/logs/debootstrap.log" 2>&1; then
        # Slim it down like the shared README says; keep the (empty) directories.
        for d in usr/share/doc usr/share/man usr/share/locale var/cache/apt var/lib/apt/lists; do
            rm -rf "${R:?}/$d" && mkdir -p "$R/$d"
        done
        # Host-specific files debootstrap copies in (the runtime provides them), and
        # build-time records that change on every run (as debuerreotype does).
        rm -f "$R/etc/hostname" "$R/etc/resolv.conf" "$R/var/cache/ldconfig/aux-cache"
        find "$R/var/log" -type f -exec truncate --size=0 {} +
        tar --numeric-owner --sort=name -C "$R" \
            --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
            --exclude='./run/*' --exclude='./tmp/*' \
            -cf "$ROOTFS_TAR.part" .
        mv "$ROOTFS_TAR.part" "$ROOTFS_TAR"
        rm -rf "$WORK/debootstrap"
    else
        tail -n 20 "$WORK/logs/debootstrap.log" >&2
        log "WARNING: debootstrap failed (no Debian mirror?); skipping the debian-app sample"
        DEBIAN_OK=0
    fi
else
    log "using cached Debian rootfs $ROOTFS_TAR"
fi
[[ $DEBIAN_OK == 1 ]] && cp "$ROOTFS_TAR" "$WORK/ctx/debian-base/rootfs.tar"

# ---------------------------------------------------------------- build images
new_store build
bud() {
    log "buildah bud $*"
    quiet in_store build buildah bud --isolation chroot --layers --timestamp 0 \
        --identity-label=false --pull=never "$@"
}
bud -t localhost/hello:latest "$WORK/ctx/hello"
bud -t localhost/busybox-base:1.35 "$WORK/ctx/busybox-base"
bud -t localhost/busybox-app:1.0 "$WORK/ctx/busybox-app"
bud --build-arg VERSION=1.0 -t localhost/multi-app:1.0 "$WORK/ctx/multi-app"
bud --build-arg VERSION=2.0 -t localhost/multi-app:2.0 "$WORK/ctx/multi-app"
if [[ $DEBIAN_OK == 1 ]]; then
    bud -t localhost/debian-base:bookworm "$WORK/ctx/debian-base"
    bud -t localhost/debian-app:1.0 "$WORK/ctx/debian-app"
fi

# ---------------------------------------------------------------- save archives
O=$WORK/out
log "saving archives"
quiet pod build save -q --format docker-archive -o "$O/hello.tar" localhost/hello:latest
gzip -9n <"$O/hello.tar" >"$O/hello.tar.gz"
quiet pod build save -q --format docker-archive -o "$O/busybox-app.tar" localhost/busybox-app:1.0
quiet pod build save -q -m --format docker-archive -o "$O/multi-app.tar" \
    localhost/multi-app:1.0 localhost/multi-app:2.0

# oci_archive IMAGE FILE [skopeo options]: skopeo copy to an oci: dir, then a
# deterministic ustar tar of that layout (as podman/skopeo oci-archive would hold).
oci_archive() {
    local image=$1 file=$2 dir
    shift 2
    dir=$WORK/oci/$(basename "$file" .tar)
    quiet in_store build skopeo copy -q "$@" "containers-storage:$image" "oci:$dir:$image"
    tar --format=ustar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
        -C "$dir" -cf "$file" blobs index.json oci-layout
}
oci_archive localhost/busybox-app:1.0 "$O/busybox-app.oci.tar"
oci_archive localhost/busybox-app:1.0 "$O/busybox-app.zstd.oci.tar" --dest-compress-format zstd
if [[ $DEBIAN_OK == 1 ]]; then
    oci_archive localhost/debian-app:1.0 "$O/debian-app.oci.tar"
fi

# A flat filesystem, like `docker export`: podman create (never started) + podman export.
quiet pod build create --name busybox-export localhost/busybox-app:1.0
quiet pod build export -o "$O/busybox-export.tar" busybox-export
quiet pod build rm busybox-export

# ---------------------------------------------------------------- oracle files
sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }
magic() {
    case $(head -c 4 "$1" | od -An -tx1 | tr -d ' \n') in
    1f8b08*) echo gzip ;;
    28b52ffd) echo zstd ;;
    *) echo none ;;
    esac
}
# GNU tar listing, one line per entry, names printed as they are (UTF-8).
tar_tv() { tar -tvf "$1" --numeric-owner --quoting-style=literal; }
tar_t() { tar -tf "$1" --quoting-style=literal; }

# layer_json BLOB WORKFILE: one layers[] object.
layer_json() {
    local blob=$1 plain=$2 comp
    comp=$(magic "$blob")
    case $comp in
    gzip) gzip -dc "$blob" >"$plain" ;;
    zstd) zstd -q -dc "$blob" >"$plain" ;;
    none) cp "$blob" "$plain" ;;
    esac
    tar_tv "$plain" >"$plain.tv"
    tar_t "$plain" >"$plain.t"
    jq -n --arg digest "sha256:$(sha "$blob")" --arg diffId "sha256:$(sha "$plain")" \
        --arg compression "$comp" --argjson storedSize "$(size "$blob")" \
        --argjson uncompressedSize "$(size "$plain")" \
        --argjson entries "$(wc -l <"$plain.t")" \
        --argjson whiteouts "$(awk '{sub(/\/$/, ""); n = split($0, p, "/"); b = p[n]}
            index(b, ".wh.") == 1 && b != ".wh..wh..opq" {c++} END {print c + 0}' "$plain.t")" \
        --argjson opaqueWhiteouts "$(awk '{sub(/\/$/, ""); n = split($0, p, "/")}
            p[n] == ".wh..wh..opq" {c++} END {print c + 0}' "$plain.t")" \
        --rawfile tv "$plain.tv" \
        '{digest: $digest, diffId: $diffId, compression: $compression, storedSize: $storedSize,
          uncompressedSize: $uncompressedSize, entries: $entries, whiteouts: $whiteouts,
          opaqueWhiteouts: $opaqueWhiteouts, tarTv: ($tv | split("\n") | map(select(. != "")))}'
    rm -f "$plain" "$plain.tv" "$plain.t"
}

# merged_list SKOPEO_REF DIR: final filesystem via skopeo -> oci: (gzip) -> umoci unpack.
merged_list() {
    local sref=$1 d=$2
    mkdir -p "$d"
    quiet skopeo copy -q --dest-compress --dest-compress-format gzip "$sref" "oci:$d/oci:img"
    quiet umoci unpack --image "$d/oci:img" "$d/bundle"
    find "$d/bundle/rootfs" -mindepth 1 -printf '%P\t%y\t%s\t%m\t%l\n' |
        awk -F'\t' 'BEGIN { OFS = "\t"; t["f"] = "file"; t["d"] = "dir"; t["l"] = "symlink";
                            t["c"] = "char"; t["b"] = "block"; t["p"] = "fifo"; t["s"] = "socket" }
                    { print $1, t[$2], (t[$2] == "file" ? $3 : 0), $4, $5 }' |
        LC_ALL=C sort -t "$(printf '\t')" -k1,1
    rm -rf "$d/bundle" "$d/oci"
}

# expect FILE KIND: write FILE's oracle as <FILE minus .tar>.expected.json.
expect() {
    local file=$1 kind=$2 name outer plain x store n i
    name=$(basename "$file")
    x=$WORK/expect/$name
    mkdir -p "$x/fs"
    outer=none
    plain=$file
    if [[ $(magic "$file") == gzip ]]; then
        # skopeo 1.9 / podman 4.3 (containers/image 5.23) fail on a gzipped docker-archive
        # ("loading tar component manifest.json: unexpected EOF"), so the tools below read
        # the bytes that gzip -dc gives.
        outer=gzip
        plain=$x/outer.tar
        gzip -dc "$file" >"$plain"
    fi
    local top
    top=$(jq -n --arg archive "$name" --arg kind "$kind" --arg outer "$outer" \
        --arg sha "$(sha "$file")" --argjson bytes "$(size "$file")" \
        '{archive: $archive, kind: $kind, outerCompression: $outer, sha256: $sha, bytes: $bytes}
         + if $outer == "none" then {} else {note: "the tools read the output of gzip -dc"} end')
    if [[ $kind == not-an-image ]]; then
        tar_tv "$plain" >"$x/tv"
        jq --rawfile tv "$x/tv" --argjson entries "$(tar_t "$plain" | wc -l)" \
            '. + {tarTv: ($tv | split("\n") | map(select(. != ""))), entries: $entries}' \
            <<<"$top" >"$x/expected.json"
        return
    fi
    tar -C "$x/fs" -xf "$plain"
    store=load-$(echo "$name" | tr -c 'a-z0-9\n' '-')
    new_store "$store"
    quiet pod "$store" load -q -i "$plain"
    pod "$store" images --format json >"$x/podman-images.json"
    if [[ $kind == docker-archive ]]; then
        n=$(jq length "$x/fs/manifest.json")
    else
        n=$(jq '.manifests | length' "$x/fs/index.json")
    fi
    : >"$x/images.jsonl"
    for ((i = 0; i < n; i++)); do
        local ref repo_tags config_path mdigest="" sref blobs=() idhex
        if [[ $kind == docker-archive ]]; then
            repo_tags=$(jq -c ".[$i].RepoTags // []" "$x/fs/manifest.json")
            ref=$(jq -r ".[$i].RepoTags[0] // empty" "$x/fs/manifest.json")
            config_path=$x/fs/$(jq -r ".[$i].Config" "$x/fs/manifest.json")
            mapfile -t blobs < <(jq -r ".[$i].Layers[]" "$x/fs/manifest.json" | sed "s|^|$x/fs/|")
            sref=docker-archive:$plain:${ref:-@$i}
        else
            local mpath
            mdigest=$(jq -r ".manifests[$i].digest" "$x/fs/index.json")
            ref=$(jq -r ".manifests[$i].annotations[\"org.opencontainers.image.ref.name\"] // empty" "$x/fs/index.json")
            repo_tags=$(jq -cn --arg r "$ref" 'if $r == "" then [] else [$r] end')
            mpath=$x/fs/blobs/${mdigest/://}
            [[ sha256:$(sha "$mpath") == "$mdigest" ]] || die "$name: manifest digest mismatch"
            config_path=$x/fs/blobs/$(jq -r '.config.digest | sub(":"; "/")' "$mpath")
            mapfile -t blobs < <(jq -r '.layers[].digest | sub(":"; "/")' "$mpath" | sed "s|^|$x/fs/blobs/|")
            if [[ -n $ref ]]; then sref=oci-archive:$plain:$ref; else sref=oci-archive:$plain; fi
        fi
        log "oracle $name [$i] ${ref:-<untagged>}"
        idhex=$(sha "$config_path")
        skopeo inspect "$sref" >"$x/inspect.json"
        skopeo inspect --config "$sref" >"$x/config.json"
        skopeo inspect --raw "$sref" >"$x/raw.json"
        skopeo inspect --config --raw "$sref" >"$x/config.raw"
        [[ $(sha "$x/config.raw") == "$idhex" ]] || die "$name: skopeo's config bytes differ from the archive's"
        : >"$x/layers.jsonl"
        local b k=0
        for b in "${blobs[@]}"; do
            layer_json "$b" "$x/layer$k.tar" >>"$x/layers.jsonl"
            k=$((k + 1))
        done
        pod "$store" image history --no-trunc --format json "$idhex" >"$x/history.json"
        jq --arg id "$idhex" '[.[] | select(.Id == $id)][0]' "$x/podman-images.json" >"$x/pimage.json"
        merged_list "$sref" "$x/m" >"$x/merged.txt"
        jq -n --arg ref "$ref" --argjson repoTags "$repo_tags" --arg id "sha256:$idhex" \
            --arg md "$mdigest" --slurpfile cfgraw "$x/config.raw" --slurpfile cfg "$x/config.json" \
            --slurpfile insp "$x/inspect.json" --slurpfile raw "$x/raw.json" \
            --slurpfile layers "$x/layers.jsonl" --slurpfile hist "$x/history.json" \
            --slurpfile pimg "$x/pimage.json" --rawfile merged "$x/merged.txt" '
            {ref: $ref, repoTags: $repoTags, id: $id, manifestDigest: $md,
             created: $cfgraw[0].created, architecture: $cfgraw[0].architecture, os: $cfgraw[0].os,
             config: $cfg[0], skopeoInspect: $insp[0], layers: $layers,
             podmanHistory: $hist[0], podmanImages: $pimg[0],
             merged: ($merged | split("\n") | map(select(. != ""))),
             configRaw: $cfgraw[0], skopeoInspectRaw: $raw[0]}
            | if $md == "" then del(.manifestDigest) else . end' >>"$x/images.jsonl"
    done
    jq --slurpfile images "$x/images.jsonl" '. + {images: $images}' <<<"$top" >"$x/expected.json"
}

for f in hello.tar hello.tar.gz busybox-app.tar multi-app.tar; do expect "$O/$f" docker-archive; done
for f in busybox-app.oci.tar busybox-app.zstd.oci.tar; do expect "$O/$f" oci-archive; done
[[ $DEBIAN_OK == 1 ]] && expect "$O/debian-app.oci.tar" oci-archive
expect "$O/busybox-export.tar" not-an-image
for f in "$O"/*.tar "$O"/*.tar.gz; do
    n=$(basename "$f")
    cp "$WORK/expect/$n/expected.json" "$O/${n%.tar}.expected.json"
done

# ---------------------------------------------------------------- checks
log "checking"
for f in "$O"/*.expected.json; do
    jq -e '.kind == "not-an-image" or (.images | length > 0)' "$f" >/dev/null || die "$f: no images"
done
jq -e '[.images[0].layers[].whiteouts] | add > 0' "$O/busybox-app.expected.json" >/dev/null ||
    die "busybox-app.tar has no .wh. whiteouts"
jq -e '[.images[0].layers[].opaqueWhiteouts] | add > 0' "$O/busybox-app.expected.json" >/dev/null ||
    die "busybox-app.tar has no opaque whiteout (.wh..wh..opq): was the overlay driver used?"
jq -e '[.images[].layers[].diffId] | length > (unique | length)' "$O/multi-app.expected.json" >/dev/null ||
    die "multi-app.tar: the two images share no layer"
if [[ $DEBIAN_OK == 1 ]] && (($(size "$O/debian-app.oci.tar") > MAX_DEBIAN_BYTES)); then
    die "debian-app.oci.tar is larger than $MAX_DEBIAN_BYTES bytes"
fi

# ---------------------------------------------------------------- samples.json
# id|file|kind|title.en|title.zh|teaches.en|teaches.zh
SAMPLES='hello|hello.tar|docker-archive|hello: the smallest image|hello：最小的镜像|An image can be a single file: one layer holding a tiny program, plus a config that says which command to run.|镜像可以只有一个文件：一层里放一个小程序，再加一份说明要运行哪个命令的配置。
busybox-app|busybox-app.tar|docker-archive|busybox-app: a web app in 9 layers|busybox-app：分 9 层构建的网页应用|Each RUN and COPY adds a layer. See files added, changed and deleted (whiteouts), an opaque directory, and 4 MB that a later delete cannot win back.|每条 RUN 和 COPY 都会新增一层。可以看到文件的新增、修改和删除（whiteout）、不透明目录，以及后面删掉也省不回来的 4 MB。
multi-app|multi-app.tar|docker-archive|multi-app: two versions in one archive|multi-app：一个归档里的两个版本|Versions 1.0 and 2.0 share their lower layers, so the archive stores those layers only once.|1.0 和 2.0 两个版本共用下面的几层，所以归档里这些层只存一份。
busybox-app-oci|busybox-app.oci.tar|oci-archive|busybox-app as an OCI archive (gzip)|OCI 格式的 busybox-app（gzip）|The same image in the OCI layout: index.json, a manifest and blobs named by their digest. Layers are gzip-compressed, so each digest differs from its diffID.|同一个镜像换成 OCI 布局：index.json、manifest 和按摘要命名的 blob。层经过 gzip 压缩，所以 digest 与 diffID 不同。
busybox-app-zstd|busybox-app.zstd.oci.tar|oci-archive|busybox-app as an OCI archive (zstd)|OCI 格式的 busybox-app（zstd）|Same files, but zstd-compressed layers: the layer digests change, while the diffIDs and the image ID stay the same.|文件完全相同，只是层改用 zstd 压缩：层的 digest 变了，diffID 和镜像 ID 不变。
debian-app|debian-app.oci.tar|oci-archive|debian-app: a real Debian base|debian-app：真实的 Debian 基础镜像|A realistic image: a Debian 12 base layer with thousands of files, and small app layers on top.|贴近实际的镜像：一个包含数千个文件的 Debian 12 基础层，上面叠加几个小的应用层。
hello-gz|hello.tar.gz|docker-archive|hello, gzipped (docker save, then gzip)|gzip 压缩的 hello（docker save 后再 gzip）|Saved images are often compressed as a whole. Unpack the gzip first and the same image is inside.|保存的镜像常被整体压缩。先解开 gzip，里面还是同一个镜像。
busybox-export|busybox-export.tar|not-an-image|busybox-export: not an image|busybox-export：这不是镜像|docker export writes one flat filesystem: no layers, no config, no history. Compare it with busybox-app.|docker export 只导出一个扁平的文件系统：没有层、没有配置、也没有历史。可以和 busybox-app 对比一下。'
: >"$WORK/samples.jsonl"
while IFS='|' read -r id file kind ten tzh len lzh; do
    [[ -f $O/$file ]] || continue
    jq -n --arg id "$id" --arg file "$file" --arg expected "${file%.tar}.expected.json" \
        --arg kind "$kind" --arg ten "$ten" --arg tzh "$tzh" --arg len "$len" --arg lzh "$lzh" \
        --argjson bytes "$(size "$O/$file")" \
        --arg outer "$(jq -r .outerCompression "$O/${file%.tar}.expected.json")" \
        '{id: $id, file: $file, expected: $expected, kind: $kind,
          title: {en: $ten, zh: $tzh}, teaches: {en: $len, zh: $lzh}, bytes: $bytes,
          outerCompression: $outer}' >>"$WORK/samples.jsonl"
done <<<"$SAMPLES"
jq -s '{samples: .}' "$WORK/samples.jsonl" >"$O/samples.json"

# ---------------------------------------------------------------- install outputs
# Replace the previous outputs (idempotent), never touching the build contexts.
rm -f "$OUT"/*.tar "$OUT"/*.tar.gz "$OUT"/*.expected.json
mv "$O"/*.tar "$O"/*.tar.gz "$O"/*.expected.json "$O/samples.json" "$OUT/"
(cd "$OUT" && sha256sum -- *.tar *.tar.gz >SHA256SUMS)

total=$(cat "$OUT"/*.tar "$OUT"/*.tar.gz "$OUT"/*.json | wc -c)
((total < MAX_TOTAL_BYTES)) || die "samples total $total bytes, over the $MAX_TOTAL_BYTES budget"

# The size table in README.md, between its sizes:begin / sizes:end markers.
{
    echo '| file | bytes | oracle bytes |'
    echo '|---|---:|---:|'
    for f in "$OUT"/*.tar "$OUT"/*.tar.gz; do
        n=$(basename "$f")
        printf '| `%s` | %s | %s |\n' "$n" "$(size "$f")" "$(size "$OUT/${n%.tar}.expected.json")"
    done
    echo
    echo "Total with the oracles and samples.json: $total bytes (budget: under $MAX_TOTAL_BYTES)."
} >"$WORK/sizes.md"
awk -v table="$WORK/sizes.md" '
    /<!-- sizes:end/ { while ((getline line < table) > 0) print line; skip = 0 }
    !skip { print }
    /<!-- sizes:begin/ { skip = 1 }' "$OUT/README.md" >"$WORK/README.md"
cat "$WORK/README.md" >"$OUT/README.md"
log "done: $(ls "$OUT"/*.tar "$OUT"/*.tar.gz | wc -l) archives, $total bytes in total"
