# One shard stopped: calls for its events fail with an error that names the connection to
# that shard, while the other shard's events keep selling, also under concurrent load; the
# calls over the whole cluster (cluster_status, verify, event_summaries, category_summaries,
# quota_summaries) still answer, the stopped shard a row that says so; once the shard is
# back, the router reconnects and its events sell again.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/..";
use ScaleoutNodes;
use Test::More;

my ($router, $shards) = start_cluster(2);
my $db = 'shop';
sub r { return $router->safe_psql($db, shift); }

r("SELECT ticketing.add_tickets(ticketing.create_event('e' || g), 200) FROM generate_series(1, 8) g");
my %on;
push @{ $on{ r("SELECT ticketing.shard_of($_)") } }, $_ for 1 .. 8;
ok(@{ $on{0} // [] } && @{ $on{1} // [] }, 'events on both shards');

# Warm the router's connections to both shards, then stop shard 1.
is(r("SELECT outcome FROM ticketing.claim_ticket($_, 1, 'early')"), 'claimed', "event $_ sells before") for 1 .. 8;
r("SELECT ticketing.create_quota($_, 'house', 150, ARRAY['general'])") for @{ $on{0} };
$shards->[1]->stop('fast');

my $down_port = $shards->[1]->port;
for my $e (@{ $on{1} })
{
	my ($state, $msg) = psql_error($router, "SELECT * FROM ticketing.claim_ticket($e, 2, 'during')");
	isnt($state, '', "event $e (shard 1, stopped): the claim fails");
	note("the error: $msg");
	like($msg, qr/ticketing\.claim_ticket.*(could not connect|connection|server closed).*$down_port|\.s\.PGSQL\.$down_port/s,
		"and the error names the connection to the stopped shard (port $down_port)");
}
for my $e (@{ $on{0} })
{
	is(r("SELECT outcome FROM ticketing.claim_ticket($e, 2, 'during')"), 'claimed',
		"event $e (shard 0) keeps selling");
}

# The calls over the whole cluster answer: shard 0 as usual, shard 1 as a row with its
# problem (libpq's reason, naming the socket of the stopped shard).
my $no_answer = qr/^no answer: .*\.s\.PGSQL\.$down_port\b/;
is(r("SELECT string_agg(shard || ' ' || coalesce(problem, 'fine') || ' ' || coalesce(node, '-'), ', ' ORDER BY shard)
        FROM ticketing.cluster_status() WHERE shard = 0"),
	'0 fine ' . r("SELECT node FROM ticketing.cluster_status() WHERE shard = 0"),
	'cluster_status: shard 0 answers while shard 1 is down');
my @status1 = split /\|/, r("SELECT shard, node IS NULL, problem FROM ticketing.cluster_status() WHERE shard = 1");
is("$status1[0] $status1[1]", '1 t', 'cluster_status: a row for shard 1, without a node');
like($status1[2], $no_answer, 'whose problem says why');
my @violations = split /\n/, r("SELECT problem || '|' || detail FROM ticketing.verify()");
is(scalar(@violations), 1, 'verify(): one violation') or diag(join "\n", @violations);
like($violations[0] // '', qr/^shard_unreachable\|shard 1: no answer: /, 'shard 1 does not answer');
is(r("SELECT count(*) FROM ticketing.verify($on{0}[0])"), 1, 'verify(event on shard 0): the same one row');
is(r("SELECT count(*) || ' ' || sum(sold) FROM ticketing.event_summaries() WHERE problem IS NULL"),
	scalar(@{ $on{0} }) . ' ' . $shards->[0]->safe_psql($db, "SELECT count(*) FROM ticketing.tickets WHERE status = 'sold'"),
	'event_summaries: every event of shard 0, with its sales');
is(r("SELECT count(*) FROM ticketing.event_summaries() WHERE shard = 0 AND problem IS NULL"), scalar(@{ $on{0} }),
	'each with its shard');
like(r("SELECT shard || ' ' || (event_id IS NULL) || ' ' || problem FROM ticketing.event_summaries() WHERE problem IS NOT NULL"),
	qr/^1 true no answer: /, 'and one row for shard 1, with its problem');
# The same for the summaries by category and by quota (every ticket of these events is of
# the default category; one quota on each event of shard 0, made before the stop).
is(r("SELECT count(*) || ' ' || sum(sold) FROM ticketing.category_summaries() WHERE problem IS NULL"),
	scalar(@{ $on{0} }) . ' ' . $shards->[0]->safe_psql($db, "SELECT count(*) FROM ticketing.tickets WHERE status = 'sold'"),
	'category_summaries: every event of shard 0 (one category each), with its sales');
like(r("SELECT shard || ' ' || (event_id IS NULL) || ' ' || problem FROM ticketing.category_summaries() WHERE problem IS NOT NULL"),
	qr/^1 true no answer: /, 'and one row for shard 1, with its problem');
is(r("SELECT count(*) || ' ' || string_agg(DISTINCT quota || ' ' || shard, ',') FROM ticketing.quota_summaries() WHERE problem IS NULL"),
	scalar(@{ $on{0} }) . ' house 0', 'quota_summaries: the quota of every event of shard 0');
like(r("SELECT shard || ' ' || (event_id IS NULL) || ' ' || problem FROM ticketing.quota_summaries() WHERE problem IS NOT NULL"),
	qr/^1 true no answer: /, 'and one row for shard 1, with its problem');

# Concurrent buyers on shard 0's events while shard 1 is down: no error at all.
my $list = join ',', @{ $on{0} };
my $n = scalar @{ $on{0} };
my ($code, $out) = run_pgbench($router->host, $router->port,
	[ '-M', 'prepared', '-c', '8', '-j', '2', '-t', '50' ],
	{ 'shard0.sql' => <<"SQL" });
\\set i random(1, $n)
\\set t random(3, 200)
SELECT outcome FROM ticketing.claim_ticket((ARRAY[$list])[:i], :t, 'c' || :client_id, wait => '250ms');
SQL
is($code, 0, 'pgbench on the live shard\'s events finishes without an error');
like($out, qr/actually processed: 400\/400/, 'all 400 calls answered');

# Mixed: a session that alternates between the shards sees errors only for shard 1.
my ($ok, $failed) = (0, 0);
for my $round (1 .. 3)
{
	for my $e (1 .. 8)
	{
		my ($state) = psql_error($router, "SELECT * FROM ticketing.claim_ticket($e, 10 + $round, 'mixed')");
		my $shard = r("SELECT ticketing.shard_of($e)");
		if ($state eq '') { $ok++ if $shard == 0; $failed++ if $shard == 1; }
		else { $failed += 100 if $shard == 0; }
	}
}
is($ok, 3 * @{ $on{0} }, 'every call for shard 0 succeeded');
is($failed, 0, 'no call for shard 1 succeeded, no call for shard 0 failed');

# Back up: the router reconnects on the next call.
$shards->[1]->start;
is(r("SELECT outcome FROM ticketing.claim_ticket($_, 2, 'after')"), 'claimed', "event $_ (shard 1) sells again")
  for @{ $on{1} };
is(r("SELECT count(*) FROM ticketing.verify()"), 0, 'verify() over the cluster is clean');
is(r("SELECT count(*) FROM ticketing.cluster_status() WHERE problem IS NULL"), 2, 'cluster_status: both shards fine');

done_testing();
