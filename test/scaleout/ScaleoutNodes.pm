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
use FindBin;

our @EXPORT = qw(start_node start_cluster shard_conninfo psql_error error_of run_pgbench
  preload_ticketing doc_sql start_pgbouncer);

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

# start_cluster(SHARDS, %opt): (router, [shard0, shard1, ...]): each shard with ticketing
# (at shard_version if given) and set_shard(i, n); the router with ticketing_router (at
# router_version if given), define_shards() over them and a user mapping for its owner
# (none with mapping => 0).
sub start_cluster
{
	my ($count, %opt) = @_;
	my $version = $opt{router_version} ? " VERSION '$opt{router_version}'" : '';
	my $shard_version = $opt{shard_version} ? " VERSION '$opt{shard_version}'" : '';
	my @shards;
	for my $i (0 .. $count - 1)
	{
		my $shard = start_node("shard$i", $opt{shard_conf});
		$shard->safe_psql($DB,
			"CREATE EXTENSION ticketing$shard_version; SELECT ticketing.set_shard($i, $count);");
		push @shards, $shard;
	}
	my $router = start_node('router', $opt{router_conf});
	my $list = join(', ', map { "'" . shard_conninfo($_) . "'" } @shards);
	$router->safe_psql($DB,
		"CREATE EXTENSION ticketing_router$version CASCADE;
		 SELECT ticketing.define_shards(ARRAY[$list], check_shards => false);");
	return ($router, \@shards) if defined $opt{mapping} && !$opt{mapping};
	# The router's owner reaches the shards as itself (the tests trust local connections).
	$router->safe_psql($DB, "CREATE USER MAPPING FOR CURRENT_USER SERVER ticketing_shards");
	my $problems = $router->safe_psql($DB,
		"SELECT string_agg(shard || ': ' || problem, '; ') FROM ticketing.cluster_status() WHERE problem IS NOT NULL");
	die "the cluster is not right: $problems"
	  if $problems ne '' && !$opt{router_version} && !$opt{shard_version};
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

# error_of(NODE, SQL, ROLE): 'SQLSTATE|message|detail|hint' of the error SQL raises, as
# ROLE if given (caught in PL/pgSQL, so the fields are exact), or '' when it succeeds.
sub error_of
{
	my ($node, $sql, $role) = @_;
	my $set_role = defined $role ? "SET ROLE $role;" : '';
	return $node->safe_psql($DB, <<"SQL");
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS text LANGUAGE plpgsql AS \$f\$
DECLARE
    state text; message text; detail text; hint text;
BEGIN
    EXECUTE statement;
    RETURN '';
EXCEPTION WHEN OTHERS OR query_canceled THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN concat_ws('|', state, message, detail, hint);
END
\$f\$;
$set_role
SELECT pg_temp.error_of(\$stmt\$$sql\$stmt\$);
SQL
}

# doc_sql(NAME): the SQL block of docs/scale-out.md marked <!-- sql:NAME -->, the statements
# a DBA is told to run. run_scaleout.sh copies the document next to the tests.
sub doc_sql
{
	my ($name) = @_;
	my ($doc) = grep { -f $_ } ("$FindBin::Bin/../scale-out.md", "$FindBin::Bin/../../../docs/scale-out.md");
	die "docs/scale-out.md not found" unless $doc;
	open my $fh, '<', $doc or die "$doc: $!";
	my $text = do { local $/; <$fh> };
	close $fh;
	my ($sql) = $text =~ /<!-- sql:\Q$name\E -->\n```sql\n(.*?)\n```/s
	  or die "no block sql:$name in $doc";
	return $sql;
}

# start_pgbouncer(NODE, POOL, USERS): pgbouncer in transaction mode in front of NODE's
# database shop, with a pool of POOL server connections, trusting the listed users, on a
# private Unix socket. Returns (socket directory, port, harness to kill).
sub start_pgbouncer
{
	my ($node, $pool, @users) = @_;
	my $dir = PostgreSQL::Test::Utils::tempdir_short();
	my $port = PostgreSQL::Test::Cluster::get_free_port();
	my ($host, $node_port) = ($node->host, $node->port);
	PostgreSQL::Test::Utils::append_to_file("$dir/users.txt", join('', map { qq{"$_" ""\n} } @users));
	PostgreSQL::Test::Utils::append_to_file("$dir/pgbouncer.ini", <<"INI");
[databases]
$DB = host=$host port=$node_port dbname=$DB

[pgbouncer]
listen_addr =
listen_port = $port
unix_socket_dir = $dir
auth_type = trust
auth_file = $dir/users.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = $pool
max_db_connections = $pool
max_client_conn = 1200
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
	my $bouncer = IPC::Run::start([ '/usr/sbin/pgbouncer', "$dir/pgbouncer.ini" ],
		'>', "$dir/stdout", '2>', "$dir/stderr");
	for (1 .. 100)
	{
		return ($dir, $port, $bouncer)
		  if system("psql -X -q -h $dir -p $port -U postgres -d $DB -c 'SELECT 1' >/dev/null 2>&1") == 0;
		select(undef, undef, undef, 0.1);
	}
	die "pgbouncer did not start: " . PostgreSQL::Test::Utils::slurp_file("$dir/pgbouncer.log");
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
