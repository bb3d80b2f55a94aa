# Sourced by run_package.sh: a Debian 12 root file system with postgresql-15 from
# Debian's archive and nothing of this project, made once with debootstrap and cached
# under /var/cache/ticketing (outside the clone), and throwaway copies of it to
# install the package into. Needs root.

CHROOT_CACHE=${TICKETING_CACHE:-/var/cache/ticketing}
# Change the recipe's name when the recipe changes: the cache is rebuilt.
CHROOT_RECIPE=bookworm-postgresql-15-v1
CHROOT_BASE="$CHROOT_CACHE/chroot-$CHROOT_RECIPE"
CHROOT_MIRROR=${TICKETING_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CHROOT_SECURITY=${TICKETING_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}

# chroot_mount ROOT: /proc, the host's /dev (not its submounts) and a private
# /dev/shm, which apt's scripts and PostgreSQL need.
chroot_mount() {
    local root=$1
    mount -t proc proc "$root/proc" &&
        mount --bind /dev "$root/dev" &&
        mount -t tmpfs -o mode=1777,size=256m tmpfs "$root/dev/shm"
}

# chroot_umount ROOT: undoes chroot_mount; fails if anything stays mounted below ROOT.
chroot_umount() {
    local root=$1 m
    for m in dev/shm dev proc; do
        mountpoint -q "$root/$m" && umount "$root/$m"
    done
    ! grep -q " $root/" /proc/mounts
}

# chroot_remove ROOT: removes a root file system, never crossing into a mount (the
# bind-mounted /dev above all): refuses while anything is mounted below it.
chroot_remove() {
    local root=$1
    [ -d "$root" ] || return 0
    if ! chroot_umount "$root"; then
        say "still mounted below $root; not removing it"
        return 1
    fi
    rm -rf --one-file-system "$root"
}

# in_chroot ROOT COMMAND...: runs the command inside ROOT as root with a clean
# environment.
in_chroot() {
    local root=$1
    shift
    chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}

# chroot_build_base: debootstrap + postgresql-15, into a temporary directory renamed
# into place only when complete.
chroot_build_base() {
    local tmp="$CHROOT_BASE.tmp"
    chroot_remove "$tmp" || return 1
    mkdir -p "$CHROOT_CACHE"
    say "debootstrap bookworm into $tmp (once; cached)"
    debootstrap --variant=minbase bookworm "$tmp" "$CHROOT_MIRROR" >&2 || return 1
    cat >"$tmp/etc/apt/sources.list" <<SOURCES
deb $CHROOT_MIRROR bookworm main
deb $CHROOT_MIRROR bookworm-updates main
deb $CHROOT_SECURITY bookworm-security main
SOURCES
    cp /etc/resolv.conf "$tmp/etc/resolv.conf"
    # No service starts inside the chroot, and installing the server makes no cluster.
    printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
    chmod 755 "$tmp/usr/sbin/policy-rc.d"
    mkdir -p "$tmp/etc/postgresql-common"
    echo "create_main_cluster = false" >"$tmp/etc/postgresql-common/createcluster.conf"
    chroot_mount "$tmp" || { chroot_umount "$tmp"; return 1; }
    say "installing postgresql-15 from Debian's archive in the chroot"
    if in_chroot "$tmp" apt-get -q update >&2 &&
        in_chroot "$tmp" apt-get -q install -y --no-install-recommends \
            -o Dpkg::Options::=--force-confold postgresql-15 >&2; then
        in_chroot "$tmp" apt-get clean
        chroot_umount "$tmp" || return 1
        echo "$CHROOT_RECIPE" >"$tmp/.ticketing-base"
        mv "$tmp" "$CHROOT_BASE"
    else
        chroot_umount "$tmp"
        return 1
    fi
}

# chroot_base: the cached base, made if missing.
chroot_base() {
    if [ "$(cat "$CHROOT_BASE/.ticketing-base" 2>/dev/null)" = "$CHROOT_RECIPE" ]; then
        say "chroot: cached $CHROOT_BASE"
        return 0
    fi
    command -v debootstrap >/dev/null || {
        say "installing debootstrap"
        apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends debootstrap >/dev/null
    } || return 1
    chroot_build_base
}

# chroot_copy DEST: a fresh copy of the base, mounted; undo with chroot_remove DEST.
chroot_copy() {
    local dest=$1
    cp -a --reflink=auto "$CHROOT_BASE" "$dest" && chroot_mount "$dest"
}
