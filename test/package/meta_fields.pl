#!/usr/bin/perl
# Checks META.json (argument 1) against the PGXN meta spec 1.0.0's required fields
# and this distribution's files (relative to argument 2, the source root): one line
# per problem, exit status 1 if any.
use strict;
use warnings;
use JSON::PP;

my ($file, $root) = @ARGV;
open my $fh, '<', $file or die "$file: $!\n";
my $meta = eval { decode_json(do { local $/; <$fh> }) } or do { print "not JSON: $@"; exit 1 };
my @problems;
my $semver = qr/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

for my $key (qw(name abstract version maintainer license provides meta-spec)) {
    push @problems, "missing $key" unless defined $meta->{$key};
}
push @problems, "meta-spec version is not 1.0.0"
    unless ($meta->{'meta-spec'}{version} // '') eq '1.0.0';
push @problems, "version '$meta->{version}' is not SemVer"
    unless ($meta->{version} // '') =~ $semver;
push @problems, "name is not ticketing" unless ($meta->{name} // '') eq 'ticketing';
my %licenses = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1 artistic_2 bsd
    freebsd gfdl_1_2 gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0 mit mozilla_1_0 mozilla_1_1
    openssl perl_5 postgresql qpl_1_0 ssleay sun zlib open_source restricted unrestricted unknown);
for my $license (ref $meta->{license} eq 'ARRAY' ? @{ $meta->{license} } : ($meta->{license} // ())) {
    push @problems, "unknown license string '$license'" unless ref $license || $licenses{$license};
}
my $provides = $meta->{provides} // {};
push @problems, "provides lacks ticketing" unless $provides->{ticketing};
for my $ext (sort keys %$provides) {
    my $p = $provides->{$ext};
    push @problems, "provides.$ext lacks file" unless $p->{file};
    push @problems, "provides.$ext.version '" . ($p->{version} // '') . "' is not SemVer"
        unless ($p->{version} // '') =~ $semver;
    for my $path (grep { defined } $p->{file}, $p->{docfile}) {
        push @problems, "provides.$ext names $path, which does not exist" unless -e "$root/$path";
    }
}
print "$_\n" for @problems;
print "META.json: the PGXN fields are present and valid\n" unless @problems;
exit(@problems ? 1 : 0);
