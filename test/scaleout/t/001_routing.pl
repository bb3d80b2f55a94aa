# A router and two shards: every call through the router runs on the shard that owns its
# event, and only there; arguments, defaults, outcomes and SQLSTATEs pass through; the
# cluster-wide calls combine the shards; the router refuses a layout or version that does
# not match, and verify() reports misplaced and duplicate events.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/..";
use ScaleoutNodes;
use Test::More;

my ($router, $shards) = start_cluster(2);
my $db = 'shop';

sub r { return $router->safe_psql($db, shift); }
sub on_shard { my ($i, $sql) = @_; return $shards->[$i]->safe_psql($db, $sql); }

is(r("SELECT string_agg(coalesce(problem, 'ok'), ',' ORDER BY shard) FROM ticketing.cluster_status()"),
	'ok,ok', 'both shards answer as the shard the router expects, at its version');
my $version = r("SELECT extversion FROM pg_extension WHERE extname = 'ticketing_router'");
is($version,
	$shards->[0]->safe_psql($db, "SELECT extversion FROM pg_extension WHERE extname = 'ticketing'"),
	'router and shard run the same version');

# Events created through the router: ids from the router's sequence, each on shard_of(id).
r("SELECT ticketing.create_event('event ' || g, per_customer_limit => CASE WHEN g = 8 THEN 2 END)
     FROM generate_series(1, 8) g");
for my $e (1 .. 8)
{
	my $want = r("SELECT ticketing.shard_of($e)");
	is(r("SELECT ticketing.shard_of($e, 2)"), $want, "shard_of($e) on the router agrees with the 2-argument form");
	is(r("SELECT ticketing.shard_of($e, 2)"), on_shard($want, "SELECT ticketing.shard_of($e, 2)"),
		"shard_of($e, 2): the router's and the core's agree");
	my @has = grep { on_shard($_, "SELECT count(*) FROM ticketing.events WHERE event_id = $e") == 1 } 0, 1;
	is_deeply(\@has, [$want], "event $e was created on shard $want only");
}
r("SELECT ticketing.add_tickets(e, 20) FROM generate_series(1, 8) e");
r("SELECT ticketing.add_tickets(1, ARRAY['A-1-1', 'A-1-2', 'A-1-3'])");

# landed(EVENT, TICKET, CUSTOMER): the shards where the ticket is now the customer's.
sub landed
{
	my ($e, $t, $c) = @_;
	return [ grep {
		on_shard($_, "SELECT count(*) FROM ticketing.tickets
		               WHERE event_id = $e AND ticket_id = $t AND owner = '$c'") == 1
	} 0, 1 ];
}

my %events_of;
push @{ $events_of{ r("SELECT ticketing.shard_of($_)") } }, $_ for 1 .. 8;
ok(@{ $events_of{0} // [] } && @{ $events_of{1} // [] }, 'the eight events are spread over both shards');

for my $e (1 .. 8)
{
	my $s = r("SELECT ticketing.shard_of($e)");
	is(r("SELECT outcome FROM ticketing.claim_ticket($e, 3, 'buyer-$e', wait => '250ms')"),
		'claimed', "claim in event $e");
	is_deeply(landed($e, 3, "buyer-$e"), [$s], "the sale of event $e is on shard $s and nowhere else");
	is(on_shard($s, "SELECT count(*) FROM ticketing.audit_log WHERE event_id = $e AND customer = 'buyer-$e'"),
		1, "one audit row for it on shard $s");
}

# A copy of claim_ticket routed to the wrong shard on purpose: the landing check catches it
# (the other shard does not have the event), so the check above can fail.
r(q{CREATE FUNCTION ticketing.misroute(event_id bigint) RETURNS integer
      LANGUAGE sql AS $$ SELECT ticketing.route(event_id) + 1 $$;
    CREATE FUNCTION ticketing.claim_ticket_misrouted(event_id bigint, ticket_id bigint, customer text)
    RETURNS ticketing.ticket_result LANGUAGE plproxy AS $$
        CLUSTER 'ticketing_shards';
        RUN ON ticketing.misroute(event_id);
        SELECT * FROM ticketing.claim_ticket(event_id, ticket_id, customer);
    $$});
is(r("SELECT outcome FROM ticketing.claim_ticket_misrouted(1, 4, 'lost')"), 'not_found',
	'a misrouted claim reaches a shard without the event');
is_deeply(landed(1, 4, 'lost'), [], 'and the landing check sees no sale');
r("DROP FUNCTION ticketing.claim_ticket_misrouted(bigint, bigint, text), ticketing.misroute(bigint)");

# Every call, with named arguments and defaults, through the router.
is(r("SELECT outcome || ' ' || owner_is_you FROM ticketing.claim_ticket(1, 3, 'someone-else')"),
	'already_sold false', 'already_sold, and the owner is not revealed');
is(r("SELECT outcome FROM ticketing.claim_ticket(1, 3, 'buyer-1')"), 'already_owned', 'already_owned');
is(r("SELECT outcome FROM ticketing.claim_ticket(1, 999, 'x')"), 'not_found', 'not_found');
is(r("SELECT outcome || ' ' || (hold_expires_at - at)
        FROM ticketing.hold_ticket(2, 5, 'holder', hold_for => '5 minutes', wait => 'skip')"),
	'hold_placed 00:05:00', 'hold_ticket with hold_for and wait by name');
is(r("SELECT outcome FROM ticketing.claim_ticket(2, 5, 'other')"), 'held', 'held');
is(r("SELECT outcome FROM ticketing.confirm_hold(2, 5, 'holder')"), 'claimed', 'confirm_hold');
is(r("SELECT outcome FROM ticketing.release_ticket(2, 5, 'holder')"), 'released', 'release_ticket');
r("SELECT ticketing.hold_ticket(2, 6, 'holder')");
is(r("SELECT outcome FROM ticketing.release_hold(2, 6, 'holder')"), 'released', 'release_hold');
is(r("SELECT outcome || ' ' || ticket_ids::text FROM ticketing.claim_tickets(3, ARRAY[9, 8], 'pair')"),
	'claimed {8,9}', 'claim_tickets, ids in ascending order');
is(r("SELECT outcome || ' ' || array_length(ticket_ids, 1) FROM ticketing.claim_any(4, 'any', quantity => 2)"),
	'claimed 2', 'claim_any with a quantity');
is(r("SELECT outcome || ' ' || seats::text FROM ticketing.claim_any(1, 'adj', 2, seat_prefix => 'A-', adjacent => true)"),
	'claimed {A-1-1,A-1-2}', 'claim_any adjacent with a seat prefix');
is(r("SELECT string_agg(request_no || ':' || outcome, ' ' ORDER BY request_no)
        FROM ticketing.claim_batch(5, ARRAY[ROW(1, 'b1', 'kb'), ROW(NULL, 'b2', NULL), ROW(1, 'b3', NULL)]::ticketing.claim_request[])"),
	'1:claimed 2:claimed 3:already_sold', 'claim_batch: an array of composites passes as text');
is(r("SELECT total || ' ' || sold FROM ticketing.event_summary(5)"), '20 3', 'event_summary');

# Limits and the duration wait give outcomes, not errors.
r("SELECT ticketing.claim_ticket(8, t, 'limited') FROM generate_series(1, 2) t");
is(r("SELECT outcome FROM ticketing.claim_ticket(8, 4, 'limited')"), 'limit_reached', 'limit_reached');
my $locker = $shards->[ r("SELECT ticketing.shard_of(6)") ]->background_psql($db);
$locker->query_safe("BEGIN; SELECT 1 FROM ticketing.tickets WHERE event_id = 6 AND ticket_id = 1 FOR UPDATE;");
is(r("SELECT outcome FROM ticketing.claim_ticket(6, 1, 'waiter', wait => '100ms')"), 'busy',
	'a duration wait answers busy while the ticket stays locked on its shard');
is(r("SELECT outcome FROM ticketing.claim_ticket(6, 1, 'skipper', wait => 'skip')"), 'busy', "wait => 'skip'");
$locker->query_safe('ROLLBACK');
$locker->quit;
is(r("SELECT outcome FROM ticketing.claim_ticket(6, 1, 'waiter', wait => '100ms')"), 'claimed',
	'and claimed once the lock is gone');

# Idempotency keys mean the same wherever the event lives: one key on an event of each
# shard is two requests; a second, different request with the key in one event is TK001.
my ($e0, $e1) = ($events_of{0}[0], $events_of{1}[0]);
is(r("SELECT outcome FROM ticketing.claim_ticket($e0, 10, 'kc', idempotency_key => 'order-1')"), 'claimed', 'key on shard 0');
is(r("SELECT outcome FROM ticketing.claim_ticket($e1, 10, 'kc', idempotency_key => 'order-1')"), 'claimed', 'same key on shard 1');
is(r("SELECT outcome || ' ' || ticket_id FROM ticketing.claim_ticket($e0, 10, 'kc', idempotency_key => 'order-1')"),
	'claimed 10', 'a retry replays the first answer');
my ($state) = psql_error($router, "SELECT * FROM ticketing.claim_ticket($e0, 11, 'kc', idempotency_key => 'order-1')");
is($state, 'TK001', 'the key on another request in the same event: TK001 through the router');

# SQLSTATEs come back; a NULL event id is 22004 (not PL/Proxy's XX000).
my %errors = (
	"SELECT * FROM ticketing.claim_ticket(NULL, 1, 'x')" => '22004',
	"SELECT * FROM ticketing.claim_any(NULL, 'x')" => '22004',
	"SELECT * FROM ticketing.event_summary(NULL)" => '22004',
	"SELECT ticketing.shard_of(NULL)" => '22004',
	"SELECT * FROM ticketing.claim_ticket(1, 1, NULL)" => '22004',
	"SELECT * FROM ticketing.claim_ticket(1, 1, 'x', wait => 'sometimes')" => '22023',
	"SELECT * FROM ticketing.event_summary(424242)" => 'P0002',
	"SELECT ticketing.create_event('dup', event_id => 1)" => '23505',
	"SELECT ticketing.define_shards(ARRAY['a', 'b', 'c'])" => '22023',
	# shard_of's shard_count as define_shards and set_shard take it (answered on e8a6832)
	"SELECT ticketing.shard_of(42, 0)" => '22023',
	"SELECT ticketing.shard_of(42, -1)" => '22023',
	"SELECT ticketing.shard_of(42, 3)" => '22023',
	"SELECT ticketing.shard_of(42, 2048)" => '22023',
	"SELECT ticketing.shard_of(42, -2147483648)" => '22023',
);
for my $sql (sort keys %errors)
{
	my ($got) = psql_error($router, $sql);
	is($got, $errors{$sql}, "SQLSTATE of: $sql");
}

# The router's sequence skips an id taken on its shard (an event created there directly).
my $next = r("SELECT last_value + 1 FROM ticketing.event_id_seq");
my $owner = r("SELECT ticketing.shard_of($next)");
on_shard($owner, "SELECT ticketing.create_event('made on the shard', event_id => $next)");
my $made = r("SELECT ticketing.create_event('after')");
ok($made > $next, "create_event skips id $next, taken on its shard (got $made)");
is(on_shard(r("SELECT ticketing.shard_of($made)"), "SELECT count(*) FROM ticketing.events WHERE event_id = $made"),
	1, 'and its event is on its shard');

# Calls over the whole cluster.
is(r("SELECT count(*) FROM ticketing.event_summaries()"), 10, 'event_summaries: every event of both shards');
is(r("SELECT sum(sold) FROM ticketing.event_summaries()"),
	on_shard(0, "SELECT count(*) FROM ticketing.tickets WHERE status = 'sold'")
	  + on_shard(1, "SELECT count(*) FROM ticketing.tickets WHERE status = 'sold'"),
	'the sold count is the sum of the shards');
is(r("SELECT count(*) FROM ticketing.verify()"), 0, 'verify(): healthy');
# Without shared_preload_libraries on the shards, the counters are those of this router
# backend's own connections to them: one session claims, then reads.
sub last_line { my @l = split /\n/, shift; return $l[-1]; }
is(last_line(r("SELECT ticketing.claim_ticket(e, 12, 'counted') FROM generate_series(1, 4) e;
      SELECT ticketing.claim_ticket(1, 12, 'counted');
      SELECT string_agg(DISTINCT scope, ',') || ' ' || sum(attempts) FILTER (WHERE event_id IS NULL)
             || ' ' || sum(attempts) FILTER (WHERE event_id IS NOT NULL)
             || ' ' || sum(already_owned) FILTER (WHERE event_id IS NULL)
        FROM ticketing.stats")),
	'backend 5 5 1', "stats: scope 'backend', the shards' counters summed, the total row the sum of the events");
# The router's view has the shards' columns, in their order.
my $columns = "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
                WHERE attrelid = 'ticketing.stats'::regclass AND attnum > 0";
is(r($columns), on_shard(0, $columns), "stats: the router's view has the shards' columns");
is(last_line(r("SELECT ticketing.claim_ticket(1, 13, 'counted'); SELECT ticketing.reset_stats();
      SELECT coalesce(sum(attempts), 0) FROM ticketing.stats")), '0', 'reset_stats() on every shard');
r("SELECT ticketing.hold_ticket($e1, 15, 'short', hold_for => '2 seconds')");
sleep 3;
is(r("SELECT ticketing.expire_holds()"), 1, 'expire_holds() over the cluster');

# An event that is on the wrong shard (a restore to the wrong node, say), and one on both.
my $stray = r("SELECT min(g) FROM generate_series(1000, 1100) g WHERE ticketing.shard_of(g) = 1");
on_shard(0, "INSERT INTO ticketing.events (event_id, name) VALUES ($stray, 'stray')");
is(r("SELECT string_agg(problem, ',' ORDER BY problem) FROM ticketing.verify() WHERE event_id = $stray"),
	'misplaced_event', 'verify() reports the misplaced event');
on_shard(1, "INSERT INTO ticketing.events (event_id, name) VALUES ($stray, 'stray')");
is(r("SELECT string_agg(problem, ',' ORDER BY problem) FROM ticketing.verify() WHERE event_id = $stray"),
	'duplicate_event,misplaced_event', 'and the same event on two shards');
on_shard($_, "DELETE FROM ticketing.events WHERE event_id = $stray") for 0, 1;

# A layout the router refuses: the shards listed in the wrong order, or another version.
my $swapped = join(', ', map { "'" . shard_conninfo($shards->[$_]) . "'" } 1, 0);
($state, my $msg) = psql_error($router, "SELECT ticketing.define_shards(ARRAY[$swapped])");
is($state, 'TK005', 'define_shards refuses shards listed in the wrong order');
like($msg, qr/it is shard 1 of 2, the router expects shard 0 of 2/, 'and says what is wrong');
r("SELECT ticketing.define_shards(ARRAY[$swapped], check_shards => false)");
like(r("SELECT string_agg(problem || ': ' || detail, '; ') FROM ticketing.verify() WHERE problem = 'shard_misconfigured'"),
	qr/shard 0 .*it is shard 1 of 2/, 'verify() reports a misconfigured layout');
my $right = join(', ', map { "'" . shard_conninfo($shards->[$_]) . "'" } 0, 1);
r("SELECT ticketing.define_shards(ARRAY[$right])");
# A shard at another version of ticketing (the catalog edited to pretend an upgrade lag).
on_shard(1, "UPDATE pg_extension SET extversion = '1.1' WHERE extname = 'ticketing'");
like(r("SELECT problem FROM ticketing.cluster_status() WHERE shard = 1"),
	qr/ticketing 1\.1 there, ticketing_router \Q$version\E here/, 'cluster_status reports a version mismatch');
($state) = psql_error($router, "SELECT ticketing.define_shards(ARRAY[$right])");
is($state, 'TK005', 'define_shards refuses it');
on_shard(1, "UPDATE pg_extension SET extversion = '$version' WHERE extname = 'ticketing'");
is(r("SELECT count(*) FROM ticketing.verify()"), 0, 'healthy again');

done_testing();
