#!/usr/bin/env bash
# The Debian package test, as root and outside any cluster: builds
# postgresql-15-ticketing with dpkg-buildpackage (pg_buildext) from a copy of the
# tree, runs lintian, installs the .deb into a Debian 12 chroot that has
# postgresql-15 from Debian and nothing of this project (cached under
# /var/cache/ticketing), and there runs CREATE EXTENSION and claims in a cluster of
# its own; checks META.json and that every version derives from ticketing.control.
# The host's installed extension is left as it was. Ends with
#   package: N passed, M failed
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"
source "$TICKETING_ROOT/test/package/chroot.sh"
source "$TICKETING_ROOT/packaging/version.sh"

PACKAGES=(dpkg-dev debhelper postgresql-server-dev-all lintian debootstrap g++ make)
SOCKET_DIR=/var/tmp/ticketing-package # inside the chroot
WORK=$(mktemp -d /tmp/ticketing-package.XXXXXX)
chmod 755 "$WORK" # the package build's installcheck runs the server as postgres on files below it
CHROOT="$WORK/root"
LOG="$WORK/log"
source "$(dirname "${BASH_SOURCE[0]}")/../lib/checks.sh"



cleanup() {
    if [ -f "$CHROOT$SOCKET_DIR/data/postmaster.pid" ]; then
        in_chroot "$CHROOT" runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl \
            -D "$SOCKET_DIR/data" -m immediate -w stop >/dev/null 2>&1
    fi
    chroot_remove "$CHROOT" && rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

finish() {
    echo "package: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

# host_state: what the host has of the extension, to compare before and after.
host_state() {
    dpkg-query -W -f='${Package} ${Status} ${Version}\n' postgresql-15-ticketing 2>/dev/null || echo "no package"
    local f
    for f in /usr/lib/postgresql/15/lib/ticketing.so /usr/share/postgresql/15/extension/ticketing.control; do
        if [ -e "$f" ]; then sha256sum "$f"; else echo "absent $f"; fi
    done
}

# copy_tree DEST: the tracked and untracked-but-not-ignored files of the clone (of a
# tree that is not a git clone: everything but build output).
copy_tree() {
    mkdir -p "$1" || return 1
    if git -C "$TICKETING_ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$TICKETING_ROOT" ls-files -z --cached --others --exclude-standard |
            (cd "$TICKETING_ROOT" && tar --null -T - -cf -) | tar -xf - -C "$1"
    else
        tar -C "$TICKETING_ROOT" --exclude=./build --exclude='*.o' --exclude='*.so' \
            --exclude=node_modules --exclude=.deps -cf - . | tar -xf - -C "$1"
    fi
}

# derived_after_bump: in a copy, a new default_version reaches debian/changelog and
# META.json through packaging/sync-version.sh, and a second sync changes nothing.
derived_after_bump() {
    local copy="$WORK/bump" bumped
    mkdir -p "$copy" &&
        cp -r "$TICKETING_ROOT/packaging" "$TICKETING_ROOT/debian" "$TICKETING_ROOT/META.json" \
            "$TICKETING_ROOT/ticketing.control" "$copy/" || return 1
    bumped="$(control_version).99"
    sed -i "s/^default_version *=.*/default_version = '$bumped'/" "$copy/ticketing.control"
    sh "$copy/packaging/check-version.sh" >/dev/null && { echo "the bump went unnoticed"; return 1; }
    sh "$copy/packaging/sync-version.sh" && sh "$copy/packaging/check-version.sh" || return 1
    [ -z "$(sh "$copy/packaging/sync-version.sh")" ] || { echo "a second sync changed files"; return 1; }
    [ "$(dpkg-parsechangelog -l "$copy/debian/changelog" -S Version)" = "$bumped" ]
}

# build_package: dpkg-buildpackage -us -uc -b (with the package's installcheck) in a
# copy of the tree, whose changelog and META.json are first synced to the control file.
build_package() {
    local src="$WORK/build/ticketing"
    copy_tree "$src" || return 1
    sh "$src/packaging/sync-version.sh" || return 1
    (cd "$src" && dpkg-buildpackage -us -uc -b)
}

# deb_contents DEB: the package holds the module, the control files and every
# ticketing--*.sql and ticketing_router--*.sql of the tree (the router extension ships in
# the same package), in the server's directories, and nothing else but docs.
deb_contents() {
    local deb=$1 expected actual f
    expected=$(
        echo ./usr/lib/postgresql/15/lib/ticketing.so
        for f in "$TICKETING_ROOT"/ticketing.control "$TICKETING_ROOT"/ticketing--*.sql \
            "$TICKETING_ROOT"/ticketing_router.control "$TICKETING_ROOT"/ticketing_router--*.sql; do
            echo "./usr/share/postgresql/15/extension/${f##*/}"
        done | sort
    )
    actual=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | grep -v '^\./usr/share/doc/')
    diff <(echo "$expected" | sort) <(echo "$actual" | sort)
}

# chroot_psql SQL...: psql in the chroot's cluster, as postgres, one value per line.
chroot_psql() {
    local args=() sql
    for sql in "$@"; do args+=(-c "$sql"); done
    in_chroot "$CHROOT" runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -h "$SOCKET_DIR" \
        -X -A -t -q -v ON_ERROR_STOP=1 -d postgres "${args[@]}"
}

# chroot_install DEB: dpkg -i in the chroot; if the chroot's cached postgresql-15 is
# older than the package needs, apt brings it up to date and finishes the install.
chroot_install() {
    cp "$1" "$CHROOT/tmp/" || return 1
    local deb="/tmp/${1##*/}"
    if ! in_chroot "$CHROOT" dpkg -i "$deb"; then
        say "completing the install with apt (the cached chroot's packages are older)"
        in_chroot "$CHROOT" apt-get -q update && in_chroot "$CHROOT" apt-get -q -f install -y || return 1
    fi
    in_chroot "$CHROOT" dpkg-query -W -f='${Status} ${Version}\n' postgresql-15-ticketing |
        grep -x "install ok installed $VERSION"
}

chroot_cluster_start() {
    in_chroot "$CHROOT" install -d -o postgres -g postgres "$SOCKET_DIR" &&
        in_chroot "$CHROOT" runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -A trust -U postgres \
            -D "$SOCKET_DIR/data" >/dev/null &&
        in_chroot "$CHROOT" runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$SOCKET_DIR/data" \
            -l "$SOCKET_DIR/log" -w -o "-c listen_addresses='' -c unix_socket_directories=$SOCKET_DIR" start
}

chroot_cluster_stop() {
    in_chroot "$CHROOT" runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$SOCKET_DIR/data" -w stop
}

# create_extension: CREATE EXTENSION gives the control file's version.
create_extension() {
    local got
    got=$(chroot_psql "CREATE EXTENSION ticketing" \
        "SELECT extversion FROM pg_extension WHERE extname = 'ticketing'") || return 1
    echo "extversion $got"
    [ "$got" = "$VERSION" ]
}

# claims: a sale, a conflict answered as an outcome, and verify() clean; then the same
# through an application role holding only the README's grants.
claims() {
    local answers
    answers=$(chroot_psql \
        "SELECT ticketing.create_event('package test', event_id => 1)" \
        "SELECT ticketing.add_tickets(1, 3)" \
        "SELECT outcome FROM ticketing.claim_ticket(1, 1, 'alice')" \
        "SELECT outcome FROM ticketing.claim_ticket(1, 1, 'bob')" \
        "CREATE ROLE shop_app" \
        "GRANT USAGE ON SCHEMA ticketing TO shop_app" \
        "GRANT EXECUTE ON FUNCTION ticketing.claim_ticket(bigint, bigint, text, text, text) TO shop_app" \
        "SET ROLE shop_app" \
        "SELECT outcome FROM ticketing.claim_ticket(1, 2, 'carol')" \
        "RESET ROLE" \
        "SELECT count(*) FROM ticketing.verify()" | tr '\n' ' ') || return 1
    echo "answers: $answers"
    [ "$answers" = "1 3 claimed already_sold claimed 0 " ]
}

purge_removes_files() {
    in_chroot "$CHROOT" dpkg --purge postgresql-15-ticketing &&
        [ ! -e "$CHROOT/usr/lib/postgresql/15/lib/ticketing.so" ] &&
        ! ls "$CHROOT"/usr/share/postgresql/15/extension/ticketing* 2>/dev/null
}

require_root
say "packages for building and testing the .deb"
ensure_packages "${PACKAGES[@]}" || { fail "installing packages"; finish; }
HOST_BEFORE=$(host_state)
VERSION=$(control_version)
DEB="$WORK/build/postgresql-15-ticketing_${VERSION}_amd64.deb"

say "versions"
check "version: debian/changelog is ticketing.control's default_version" \
    sh "$TICKETING_ROOT/packaging/check-version.sh" changelog
check "version: META.json is default_version in SemVer form" \
    sh "$TICKETING_ROOT/packaging/check-version.sh" meta
check "META.json: PGXN meta spec fields" perl "$TICKETING_ROOT/test/package/meta_fields.pl" \
    "$TICKETING_ROOT/META.json" "$TICKETING_ROOT"
check "version: a new default_version reaches the changelog and META.json" derived_after_bump

say "building the package (dpkg-buildpackage -us -uc -b, pg_buildext)"
if check "build: dpkg-buildpackage -us -uc -b" build_package; then
    check "build: produces postgresql-15-ticketing_${VERSION}_amd64.deb" test -s "$DEB"
fi
if [ -s "$DEB" ]; then
    check "package: holds the module, the control file and every install script" deb_contents "$DEB"
    check "lintian: no errors" lintian --fail-on error --info "$WORK/build/ticketing_${VERSION}_amd64.changes"

    say "installing into a Debian 12 chroot without the source build"
    if check "chroot: Debian 12 with Debian's postgresql-15 (cached in $CHROOT_CACHE)" chroot_base &&
        check "chroot: a fresh copy" chroot_copy "$CHROOT"; then
        check "chroot: has no ticketing before the install" \
            test ! -e "$CHROOT/usr/lib/postgresql/15/lib/ticketing.so" -a \
            ! -e "$CHROOT/usr/share/postgresql/15/extension/ticketing.control"
        if check "chroot: dpkg -i the .deb" chroot_install "$DEB" &&
            check "chroot: a cluster starts" chroot_cluster_start; then
            check "chroot: CREATE EXTENSION ticketing ($VERSION)" create_extension &&
                check "chroot: claims, an application role's claim, verify() clean" claims
            check "chroot: the cluster stops" chroot_cluster_stop
            check "chroot: dpkg --purge removes the extension's files" purge_removes_files
        fi
    fi
fi

check "host: the installed extension is untouched" test "$(host_state)" = "$HOST_BEFORE"
finish
