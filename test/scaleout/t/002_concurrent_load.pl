# Concurrent buyers through the router over many small events on two shards, to a sell-out:
# every answer is recorded on the router, then checked against both shards. Nothing is
# oversold on either shard or overall: each sale has exactly one `claimed` answer, to the
# customer the shard's audit log names, and every shard's verify() is clean.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/..";
use ScaleoutNodes;
use Test::More;

my $events = 32;
my $tickets = 60;
my ($router, $shards) = start_cluster(2);
my $db = 'shop';
sub r { return $router->safe_psql($db, shift); }

r("SELECT ticketing.add_tickets(ticketing.create_event('load ' || g), $tickets)
     FROM generate_series(1, $events) g");
r("CREATE TABLE answers (event_id bigint, ticket_id bigint, customer text, outcome text)");

# claim_ticket on a random seat (wait bounded by a duration, so contention answers busy,
# never an error) and claim_any, 3:1; the answer row is written by the same statement.
my %scripts = (
	'claim_ticket.sql@3' => <<"SQL",
\\set e random(1, $events)
\\set t random(1, $tickets)
INSERT INTO answers SELECT :e, :t, 'c' || :client_id, r.outcome
  FROM ticketing.claim_ticket(:e, :t, 'c' || :client_id, wait => '250ms') r;
SQL
	'claim_any.sql@1' => <<"SQL",
\\set e random(1, $events)
INSERT INTO answers SELECT :e, t.id, 'c' || :client_id, r.outcome
  FROM ticketing.claim_any(:e, 'c' || :client_id) r, unnest(CASE WHEN r.outcome = 'claimed' THEN r.ticket_ids ELSE '{0}' END) AS t(id);
SQL
);
my ($code, $out) = run_pgbench($router->host, $router->port,
	[ '-M', 'prepared', '-c', '16', '-j', '2', '-t', '250' ], \%scripts);
is($code, 0, 'pgbench through the router: every client finished without an error');
like($out, qr/number of transactions actually processed: 4000\/4000/, '4,000 calls answered');
like($out, qr/number of failed transactions: 0 /, 'none failed');

my $answers = r("SELECT count(*) FROM answers");
is($answers, 4000, 'one recorded answer per call');
my $claimed = r("SELECT count(*) FROM answers WHERE outcome = 'claimed'");
cmp_ok($claimed, '>', $events * $tickets / 2, "more than half the inventory sold ($claimed claimed)");
is(r("SELECT count(*) FROM (SELECT event_id, ticket_id FROM answers WHERE outcome = 'claimed'
                             GROUP BY 1, 2 HAVING count(*) > 1) d"), 0,
	'no ticket got two claimed answers');
is(r("SELECT count(*) FROM answers WHERE outcome NOT IN
        ('claimed', 'already_sold', 'already_owned', 'busy', 'sold_out')"), 0,
	'every answer is an outcome a buyer can expect');

# Per shard: its events only, its sales against its audit log, and its verify().
my $sold_total = 0;
for my $i (0, 1)
{
	my $s = $shards->[$i];
	my $sold = $s->safe_psql($db, "SELECT count(*) FROM ticketing.tickets WHERE status = 'sold'");
	$sold_total += $sold;
	cmp_ok($sold, '>', 0, "shard $i sold tickets ($sold)");
	is($s->safe_psql($db, "SELECT count(*) FROM ticketing.events WHERE ticketing.shard_of(event_id, 2) <> $i"),
		0, "shard $i holds only its own events");
	is($s->safe_psql($db, "SELECT count(*) FROM ticketing.audit_log WHERE to_status = 'sold'"), $sold,
		"shard $i: one sale in the audit log per sold ticket");
	is($s->safe_psql($db, "SELECT count(*) FROM ticketing.verify()"), 0, "shard $i: verify() is clean");
	# The router's claimed answers for this shard's events, as (event, ticket, customer).
	my $mine = join ',', split /\n/, $s->safe_psql($db, "SELECT event_id FROM ticketing.events");
	my $router_side = r("SELECT string_agg(event_id || '/' || ticket_id || '/' || customer, ' '
	                                       ORDER BY event_id, ticket_id)
	                       FROM answers WHERE outcome = 'claimed' AND event_id IN ($mine)");
	my $shard_side = $s->safe_psql($db, "SELECT string_agg(event_id || '/' || ticket_id || '/' || owner, ' '
	                                     ORDER BY event_id, ticket_id)
	                                FROM ticketing.tickets WHERE status = 'sold'");
	is($router_side, $shard_side, "shard $i: each sale is a claimed answer to its owner, and each claimed answer a sale");
}
is($sold_total, $claimed, "overall: $claimed claimed answers, $sold_total tickets sold");
is(r("SELECT sum(sold) FROM ticketing.event_summaries()"), $sold_total, 'event_summaries agree');
is(r("SELECT count(*) FROM ticketing.verify()"), 0, "the router's verify() over the cluster is clean");

done_testing();
