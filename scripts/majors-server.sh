# PostgreSQL majors other than Debian 12's 15 (17 and 18), for scripts/majors.sh and the
# upgrade test: each built once from Debian's source package into the cache directory,
# a release build with the TAP test modules. Debian 12's archive has neither; Debian's
# source archive serves postgresql-17 (trixie) and postgresql-18 (sid), and no
# postgresql-16 at all. The deb-src lines live in a sources file of our own under the
# cache, passed to apt-get on each call, so the machine's own lists stay as they are.
# Sourced after common.sh, not run.

source "$(dirname "${BASH_SOURCE[0]}")/pg-build.sh"

TICKETING_CACHE=${TICKETING_CACHE:-/var/cache/ticketing}
# shellcheck disable=SC2034 # installed by scripts/majors.sh
MAJOR_BUILD_PACKAGES=(bison flex zlib1g-dev libicu-dev pkg-config dpkg-dev patch bzip2
    xz-utils libipc-run-perl)
MAJOR_ARCHIVE=${MAJOR_ARCHIVE:-http://deb.debian.org}
MAJOR_APT_DIR=$TICKETING_CACHE/apt

# major_apt COMMAND ARGS...: apt-get or apt-cache with our sources file, lists and
# package cache instead of the machine's.
major_apt() {
    local cmd=$1
    shift
    "$cmd" -o Dir::Etc::sourcelist="$MAJOR_APT_DIR/sources.list" -o Dir::Etc::sourceparts=- \
        -o Dir::State::Lists="$MAJOR_APT_DIR/lists" -o Dir::Cache="$MAJOR_APT_DIR/cache" "$@"
}

# Writes the sources file (the suites that carry postgresql-17 and -18, the security
# archive's too: trixie's point releases of 17 live there; and bookworm, whose
# postgresql-15 is the old server of the pg_upgrade test) and reads their indexes.
major_update_sources() {
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    mkdir -p "$MAJOR_APT_DIR/lists/partial" "$MAJOR_APT_DIR/cache/archives/partial"
    cat >"$MAJOR_APT_DIR/sources.list" <<EOF
deb-src [signed-by=$keyring] $MAJOR_ARCHIVE/debian bookworm main
deb-src [signed-by=$keyring] $MAJOR_ARCHIVE/debian trixie main
deb-src [signed-by=$keyring] $MAJOR_ARCHIVE/debian-security trixie-security main
deb-src [signed-by=$keyring] $MAJOR_ARCHIVE/debian sid main
EOF
    major_apt apt-get -qq update
}

# major_prefix_cached MAJOR: prints the prefix of a finished build of MAJOR in the cache
# (any minor), newest first; status 1 when there is none.
major_prefix_cached() {
    local dir
    for dir in $(ls -d "$TICKETING_CACHE/pg-$1".*-release 2>/dev/null | sort -rV); do
        if [ -f "$dir/.complete" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

# major_download_from_pool MAJOR SRC: the index can name a point release whose files the
# archive (or a mirror in front of it) does not serve yet or any more; the pool keeps the
# releases before it for a while. Tries the .dsc of up to 4 earlier point releases with
# the index's Debian revision, checks its OpenPGP signature against the Debian
# developers' keyring (Debian's debian-keyring package), downloads the files it lists
# into SRC (dpkg-source checks their checksums against it when unpacking) and prints the
# version. Status 1 when none is served.
major_download_from_pool() {
    local major=$1 src=$2 listed upstream revision minor m version base dsc file
    listed=$(major_apt apt-cache showsrc "postgresql-$major" 2>/dev/null |
        sed -nE 's/^Version: (.*)/\1/p' | sort -rV | head -1)
    [ -n "$listed" ] || return 1
    upstream=${listed%%-*}
    revision=${listed#*-}
    minor=${upstream#*.}
    base="$MAJOR_ARCHIVE/debian/pool/main/p/postgresql-$major"
    ensure_packages debian-keyring curl >&2
    for m in $(seq $((minor - 1)) -1 $((minor > 4 ? minor - 4 : 0))); do
        version="$major.$m-$revision"
        dsc="postgresql-${major}_$version.dsc"
        rm -rf "$src" && mkdir -p "$src"
        curl -fsS -m 120 -o "$src/$dsc" "$base/$dsc" 2>/dev/null || continue
        if ! gpgv --keyring /usr/share/keyrings/debian-keyring.gpg "$src/$dsc" >/dev/null 2>&1; then
            say "$dsc is not signed by a Debian developer's key; not used"
            continue
        fi
        for file in $(sed -n '/^Files:/,/^[^ ]/s/^ [0-9a-f]\{32\} [0-9]* //p' "$src/$dsc"); do
            curl -fsS -m 600 -o "$src/$file" "$base/$file" || continue 2
        done
        say "postgresql-$major $listed is listed but not served; using $version from the pool"
        echo "$version"
        return 0
    done
    return 1
}

# major_server_prefix MAJOR: prints the prefix of the release build of PostgreSQL MAJOR,
# building it first if the cache has none (5-10 minutes on 2 cores; once per cache).
# Configured like Debian's own build where it matters to the tests: ICU, zlib, and
# --enable-tap-tests for PostgreSQL::Test::Cluster.
major_server_prefix() {
    local major=$1 src version prefix
    major_prefix_cached "$major" && return 0
    (
        # One build at a time (they share our apt lists, and 2 cores); a second caller
        # for the same major waits and then reuses the first one's build.
        mkdir -p "$TICKETING_CACHE"
        exec 9>"$TICKETING_CACHE/.majors-build.lock"
        flock 9
        major_prefix_cached "$major" >/dev/null && exit 0
        major_update_sources || { say "could not read Debian's source indexes"; exit 1; }
        src="$TICKETING_CACHE/src-$major"
        version=""
        for version in $(major_apt apt-cache showsrc "postgresql-$major" 2>/dev/null |
            sed -nE 's/^Version: (.*)/\1/p' | sort -ruV); do
            rm -rf "$src"
            mkdir -p "$src"
            if (cd "$src" && major_apt apt-get source -qq --download-only \
                "postgresql-$major=$version" >"$src/download.log" 2>&1); then
                break
            fi
            say "the source of postgresql-$major $version does not download:"
            grep -E '^E:' "$src/download.log" >&2
            version=""
        done
        if [ -z "$version" ]; then
            version=$(major_download_from_pool "$major" "$src") ||
                { say "Debian's source archive serves no postgresql-$major"; exit 1; }
        fi
        prefix="$TICKETING_CACHE/pg-${version%%-*}-release"
        say "building PostgreSQL ${version%%-*} into $prefix (5-10 minutes, once)"
        renice -n 10 -p "$BASHPID" >/dev/null # a shared machine: others' work goes first
        pg_build_debian_source "$src" "$prefix" --enable-tap-tests --without-readline
    ) || return 1
    major_prefix_cached "$major"
}
