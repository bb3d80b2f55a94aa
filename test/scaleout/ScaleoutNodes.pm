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

our @EXPORT = qw(start_node start_cluster shard_conninfo psql_error);

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

1;
