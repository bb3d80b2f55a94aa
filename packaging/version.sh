# shellcheck shell=sh
# Sourced (POSIX sh): the version every package of ticketing derives from
# ticketing.control's default_version, the one place it is kept.

# control_version: default_version, e.g. 1.1
control_version() {
    sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" "$TICKETING_ROOT/ticketing.control"
}

# semver VERSION: the SemVer form PGXN requires (1.1 -> 1.1.0)
semver() {
    case $1 in
        *.*.*) echo "$1" ;;
        *.*) echo "$1.0" ;;
        *) echo "$1.0.0" ;;
    esac
}

# changelog_version: the version of debian/changelog's top entry
changelog_version() {
    dpkg-parsechangelog -l "$TICKETING_ROOT/debian/changelog" -S Version
}

# meta_versions: META.json's version and the version of each extension it provides
# (ticketing, ticketing_router: both follow ticketing.control), on one line
meta_versions() {
    perl -MJSON::PP -e '
        open my $f, "<", $ARGV[0] or die "$ARGV[0]: $!\n";
        my $m = decode_json(do { local $/; <$f> });
        my $p = $m->{provides} // {};
        print join(" ", $m->{version} // "", map { $p->{$_}{version} // "" } sort keys %$p), "\n";
    ' "$TICKETING_ROOT/META.json"
}
