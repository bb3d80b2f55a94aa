# pgbouncer (Debian's 1.18) in transaction pooling mode in front of one node: 1,000 client
# connections share a pool of 40 server connections, claiming to a sell-out with the
# extended protocol (1.18 has no prepared-statement support: pgbench -M prepared fails
# there), with zero oversells. With ticketing in shared_preload_libraries the stats read
# through the pooler cover every backend (scope 'cluster').
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/..";
use ScaleoutNodes;
use Test::More;
use IPC::Run;

my $clients = 1000;
my $pool = 40;
my $per_client = 5;
my $db = 'shop';

my $node = start_node('node', "shared_preload_libraries = '" . preload_ticketing() . "'\nmax_connections = 80\n");
$node->safe_psql($db, "CREATE EXTENSION ticketing");
$node->safe_psql($db, "SELECT ticketing.add_tickets(ticketing.create_event('e' || g), 500)
                         FROM generate_series(1, 4) g");
$node->safe_psql($db, "CREATE TABLE answers (event_id bigint, ticket_id bigint, customer text, outcome text)");

my ($dir, $port, $bouncer) = start_pgbouncer($node, $pool, 'postgres');
pass('pgbouncer accepts connections');

my ($code, $out) = run_pgbench($dir, $port,
	[ '-M', 'extended', '-c', $clients, '-j', '4', '-t', $per_client ],
	{ 'claim.sql' => <<'SQL' });
\set e random(1, 4)
\set t random(1, 500)
INSERT INTO answers SELECT :e, :t, 'c' || :client_id, r.outcome
  FROM ticketing.claim_ticket(:e, :t, 'c' || :client_id, wait => '250ms') r;
SQL
is($code, 0, "$clients clients through pgbouncer: pgbench finished without an error");
like($out, qr/number of clients: $clients\b/, "$clients client connections at once");
my $calls = $clients * $per_client;
like($out, qr/actually processed: $calls\/$calls/, "all $calls calls answered");

# The pool: at most $pool server connections were opened to the node.
my $servers = `psql -X -A -t -h $dir -p $port -U postgres -d pgbouncer -c 'SHOW SERVERS' 2>&1`;
my $server_count = () = $servers =~ /^S\|/mg;
cmp_ok($server_count, '<=', $pool, "pgbouncer holds $server_count server connections (pool $pool)");
cmp_ok($server_count, '>', 0, 'and used some');
cmp_ok($node->safe_psql($db, "SELECT count(*) FROM pg_stat_activity
                               WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"),
	'<=', $pool, 'the node never saw more client backends than the pool');

# Zero oversells: every sale is one claimed answer to its owner, and the reverse.
is($node->safe_psql($db, "SELECT count(*) FROM answers"), $calls, 'one recorded answer per call');
my $claimed = $node->safe_psql($db, "SELECT count(*) FROM answers WHERE outcome = 'claimed'");
cmp_ok($claimed, '>', 1000, "tickets sold ($claimed)");
is($node->safe_psql($db, "SELECT count(*) FROM ticketing.tickets WHERE status = 'sold'"), $claimed,
	'as many sold tickets as claimed answers');
is($node->safe_psql($db, "SELECT count(*) FROM answers a
                           LEFT JOIN ticketing.tickets t USING (event_id, ticket_id)
                          WHERE a.outcome = 'claimed' AND t.owner IS DISTINCT FROM a.customer"), 0,
	'each claimed answer is a ticket its customer owns');
is($node->safe_psql($db, "SELECT count(*) FROM ticketing.audit_log WHERE to_status = 'sold'"), $claimed,
	'one audit sale per claimed answer');
is($node->safe_psql($db, "SELECT count(*) FROM ticketing.verify()"), 0, 'verify() is clean');

# Stats through the pooler: the library is preloaded, so the counters cover every backend.
my $stats = `psql -X -A -t -h $dir -p $port -U postgres -d $db -c "SELECT scope || ' ' || attempts || ' ' || claimed FROM ticketing.stats WHERE event_id IS NULL" 2>&1`;
chomp $stats;
is($stats, "cluster $calls $claimed", "stats read through pgbouncer: scope 'cluster', all $calls calls");

$bouncer->kill_kill;
done_testing();
