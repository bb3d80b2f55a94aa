# Nodes for the scale-out TAP tests: shards running the core extension ticketing, a router
# running ticketing_router over them, answers recorded on the router, and the checks the
# tests share. Every node is a PostgreSQL::Test::Cluster (its own data directory, a Unix
# socket in a private directory, no TCP).
package ScaleoutNodes;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

our @EXPORT = qw(start_node start_cluster shard_conninfo psql_error run_pgbench preload_ticketing);

my $DB = 'shop';

# start_node(NAME, EXTRA_CONF): a started node with database shop. The extensions come from
# the system install, or from TICKETING_EXTENSION_DESTDIR (Debian's extension_destdir) when
# it is set, for a private install while developing.
sub start_node
{
	my ($name, $extra) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	my $conf = "max_connections = 100\nlog_min_messages = warning\n";
	$conf .= "extension_destdir = '$ENV{TICKETING_EXTENSION_DESTDIR}'\n"
	  if $ENV{TICKETING_EXTENSION_DESTDIR};
	$conf .= $extra if defined $extra;
	$node->append_conf('postgresql.conf', $conf);
	$node->start;
	$node->safe_psql('postgres', "CREATE DATABASE $DB");
	return $node;
}

# The shared_preload_libraries entry for ticketing: the library's path in a private install
# (the one CREATE EXTENSION will load through extension_destdir; preloading the system's
# copy as well would load the library twice), else its name.
sub preload_ticketing
{
	return 'ticketing' unless $ENV{TICKETING_EXTENSION_DESTDIR};
	my $pkglibdir = `pg_config --pkglibdir`;
	chomp $pkglibdir;
	return "$ENV{TICKETING_EXTENSION_DESTDIR}$pkglibdir/ticketing";
}

sub shard_conninfo
{
	my ($node) = @_;
	return sprintf("host=%s port=%d dbname=%s", $node->host, $node->port, $DB);
}

# start_cluster(SHARDS): (router, [shard0, shard1, ...]): each shard with ticketing and
# set_shard(i, n); the router with ticketing_router and define_shards() over them.
sub start_cluster
{
	my ($count, %opt) = @_;
	my @shards;
	for my $i (0 .. $count - 1)
	{
		my $shard = start_node("shard$i", $opt{shard_conf});
		$shard->safe_psql($DB,
			"CREATE EXTENSION ticketing; SELECT ticketing.set_shard($i, $count);");
		push @shards, $shard;
	}
	my $router = start_node('router', $opt{router_conf});
	my $list = join(', ', map { "'" . shard_conninfo($_) . "'" } @shards);
	$router->safe_psql($DB,
		"CREATE EXTENSION ticketing_router CASCADE;
		 SELECT ticketing.define_shards(ARRAY[$list]);");
	return ($router, \@shards);
}

# psql_error(NODE, SQL): (sqlstate, message) of the error SQL raised, or ('', '') when it
# did not fail.
sub psql_error
{
	my ($node, $sql) = @_;
	my ($ret, $out, $err) = $node->psql($DB,
		"\\set VERBOSITY verbose\n\\set ON_ERROR_STOP 1\n$sql");
	return ('', '') if $ret == 0;
	my ($state) = $err =~ /ERROR:\s+([0-9A-Z]{5}):/;
	return ($state // 'none', $err);
}

# run_pgbench(HOST, PORT, [pgbench options], {FILE => script}): (exit code, stdout + stderr).
# Scripts are written next to the test's logs.
sub run_pgbench
{
	my ($host, $port, $opts, $scripts) = @_;
	my @files;
	for my $name (sort keys %$scripts)
	{
		my ($file, $weight) = split /@/, $name;
		my $path = "${PostgreSQL::Test::Utils::tmp_check}/$file";
		open my $fh, '>', $path or die "$path: $!";
		print $fh $scripts->{$name};
		close $fh;
		push @files, '-f', defined $weight ? "$path\@$weight" : $path;
	}
	my @cmd = ('pgbench', '-n', '-h', $host, '-p', $port, '-U', 'postgres', @$opts, @files, $DB);
	note("running: @cmd");
	my ($out, $err) = ('', '');
	IPC::Run::run(\@cmd, '>', \$out, '2>', \$err);
	my $code = $? >> 8;
	note($out . $err);
	return ($code, $out . $err);
}

1;
