#!/bin/sh
# Brings debian/changelog and META.json to ticketing.control's default_version: a new
# changelog entry when the top one names another version, and META.json's version
# fields (the distribution's and each provided extension's) in their SemVer form. Changes nothing when they already agree.
# Usage: sh packaging/sync-version.sh
set -eu
TICKETING_ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$TICKETING_ROOT/packaging/version.sh"

version=$(control_version)
[ -n "$version" ] || { echo "no default_version in ticketing.control" >&2; exit 1; }

if [ "$(changelog_version)" != "$version" ]; then
    maintainer=$(sed -n 's/^Maintainer: *//p' "$TICKETING_ROOT/debian/control.in")
    changelog="$TICKETING_ROOT/debian/changelog"
    {
        printf 'ticketing (%s) unstable; urgency=medium\n\n' "$version"
        printf '  * Version %s (ticketing.control'"'"'s default_version).\n\n' "$version"
        printf ' -- %s  %s\n\n' "$maintainer" "$(LC_ALL=C date -R)"
        cat "$changelog"
    } >"$changelog.new"
    mv "$changelog.new" "$changelog"
    echo "debian/changelog: added $version"
fi

perl -MJSON::PP -e '
    my ($file, $version) = @ARGV;
    open my $in, "<", $file or die "$file: $!\n";
    my $text = do { local $/; <$in> };
    close $in;
    my $meta = decode_json($text);
    $meta->{version} = $version;
    $_->{version} = $version for values %{ $meta->{provides} };
    my $out = JSON::PP->new->utf8->pretty->canonical->encode($meta);
    exit 0 if $out eq $text;
    open my $fh, ">", "$file.new" or die "$file.new: $!\n";
    print $fh $out;
    close $fh or die "$file.new: $!\n";
    rename "$file.new", $file or die "$file: $!\n";
    print "META.json: version $version\n";
' "$TICKETING_ROOT/META.json" "$(semver "$version")"
