# Building PostgreSQL from a Debian source package into a private prefix: the
# assert-enabled 15 (scripts/cassert-server.sh) and the release builds of the other
# majors (scripts/majors-server.sh). Sourced after common.sh, not run.

# pg_build_debian_source SRC PREFIX CONFIGURE_ARGS...: SRC holds one downloaded source
# package (*.dsc, orig tarball, Debian tarball). Unpacks it into SRC/tree, applies
# Debian's patches except the two that move the install and socket directories to the
# system's (/usr/lib/postgresql/N, /var/run/postgresql), configures with --prefix=PREFIX and the arguments,
# builds and installs the server and the contrib modules and tools the tests use. The
# logs stay in SRC/tree/*.log; on failure their ends go to stderr. Status 0 on success.
pg_build_debian_source() {
    local src=$1 prefix=$2
    shift 2
    rm -rf "$prefix" "$src/tree"
    (
        cd "$src" || exit 1
        dpkg-source --skip-patches -x ./*.dsc tree >/dev/null || exit 1
        cd tree || exit 1
        local patch jobs
        while read -r patch; do
            case $patch in '' | '#'* | 50-per-version-dirs* | 51-default-sockets*) continue ;; esac
            patch -s -p1 <"debian/patches/$patch" || exit 1
        done <debian/patches/series
        jobs=$(nproc 2>/dev/null || echo 2)
        ./configure --prefix="$prefix" "$@" >configure.log 2>&1 &&
            make -s -j"$jobs" >make.log 2>&1 &&
            make -s install >install.log 2>&1 &&
            for dir in contrib/amcheck contrib/pageinspect contrib/pg_stat_statements \
                contrib/test_decoding src/test/isolation; do
                make -s -C "$dir" -j"$jobs" install >>install.log 2>&1 || exit 1
            done
    ) >&2 || {
        say "the PostgreSQL build failed; the end of its logs ($src/tree/*.log):"
        tail -n 25 "$src"/tree/*.log >&2 2>/dev/null
        return 1
    }
    touch "$prefix/.complete"
}
