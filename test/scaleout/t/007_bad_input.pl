# Bad input is refused on the router, as the shard would refuse it: for every case below
# the router's error (SQLSTATE, message, detail, hint) is the one the shard gives for the
# same call made on it directly, and it is raised before PL/Proxy sends anything, so the
# router's connection to the shard survives (an error raised on a shard costs that
# connection). What the router cannot decide exactly still reaches the shard, and valid
# input at the edges of every range is never refused.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/..";
use ScaleoutNodes;
use Test::More;

my ($router, $shards) = start_cluster(2);
my $db = 'shop';
sub r { return $router->safe_psql($db, shift); }

my $e = r("SELECT ticketing.create_event('bad input')");
r("SELECT ticketing.add_tickets($e, 200)");
my $shard_no = r("SELECT ticketing.shard_of($e)");
my $shard = $shards->[$shard_no];

my $batch = sub { return "ARRAY[" . join(', ', @_) . "]::ticketing.claim_request[]" };
my $requests = sub { return "ARRAY[" . join(', ', @_) . "]::ticketing.batch_request[]" };
my @refused = (
	# single tickets: ids, customer, wait policy, key, in the core's order
	"claim_ticket(NULL, 1, 'x')", "claim_ticket(0, 1, 'x')", "claim_ticket(-7, 1, 'x')",
	"claim_ticket($e, NULL, 'x')", "claim_ticket($e, 0, 'x')", "claim_ticket($e, 1, NULL)",
	"claim_ticket($e, 1, '')", "claim_ticket($e, 1, repeat('x', 201))",
	"claim_ticket($e, 1, repeat('é', 101))",
	(map { "claim_ticket($e, 1, 'x', wait => $_)" } "NULL", "'sometimes'", "''", "'WAIT'", "'0ms'",
		"'0s'", "'0.0001s'", "'0.5ms'", "'301s'", "'300001ms'", "'999999999999999999999ms'",
		"'400000'", "'1.5h'", "'.s'", "'ms'", "' 5s'", "'5s '", "'5 m s'", "repeat('é', 30)",
		"repeat('x', 60)", "'1' || repeat('0', 50) || 's'"),
	"claim_ticket($e, 1, 'x', idempotency_key => '')", "claim_ticket($e, 1, 'x', idempotency_key => repeat('k', 201))",
	"claim_ticket(0, 0, '', 'bad', '')", "claim_ticket($e, 1, 'x', 'bad', '')",
	"release_ticket($e, -1, 'x')", "release_ticket($e, 1, '')", "release_ticket($e, 1, 'x', '')",
	"confirm_hold(NULL, 1, 'x')", "confirm_hold($e, 1, 'x', repeat('k', 300))",
	"release_hold($e, 1, repeat('x', 300))", "release_hold($e, NULL, NULL)",
	(map { "hold_ticket($e, 1, 'x', hold_for => $_)" } "NULL", "'0'", "'-1 hour'", "'0.5 seconds'",
		"'31 days'", "'-1 month'", "'2 months'", "'1 year'",
		"'30 days 4 hours'", "'-3 days -1 hour'", "'100000 years'"),
	"hold_ticket($e, 1, 'x', hold_for => '0', wait => 'bad')",
	"hold_ticket($e, 1, 'x', hold_for => '0', idempotency_key => '')",
	# several tickets
	"claim_tickets($e, NULL, 'x')", "claim_tickets($e, '{}', 'x')",
	"claim_tickets($e, '{{1,2},{3,4}}', 'x')", "claim_tickets(NULL, '{{1}}', 'x')",
	"claim_tickets($e, ARRAY(SELECT generate_series(1, 101))::bigint[], 'x')",
	"claim_tickets($e, ARRAY[1, NULL], 'x')", "claim_tickets($e, ARRAY[1, -2, NULL], 'x')",
	"claim_tickets($e, ARRAY[3, 2, 3, 2], 'x')", "claim_tickets($e, ARRAY[5, 5, 1, 1], '')",
	"claim_tickets($e, ARRAY[1, 2], '')", "claim_tickets($e, ARRAY[1, 2], 'x', wait => '0s')",
	"claim_tickets($e, ARRAY[1, 2], 'x', wait => NULL)",
	"claim_tickets($e, ARRAY[1, 2], 'x', hold_for => '0')",
	"claim_tickets($e, ARRAY[1, 2], 'x', idempotency_key => '')",
	"claim_tickets(-1, ARRAY[1, 2], 'x')",
	"claim_any($e, '')", "claim_any($e, 'x', NULL)", "claim_any($e, 'x', 0)", "claim_any($e, 'x', 101)",
	"claim_any($e, 'x', section => '')", "claim_any($e, 'x', section => repeat('s', 201))",
	"claim_any($e, 'x', seat_prefix => '')", "claim_any($e, 'x', seat_prefix => repeat('s', 201))",
	"claim_any($e, 'x', section => 'A', seat_prefix => 'A-')", "claim_any($e, 'x', adjacent => NULL)",
	"claim_any($e, 'x', hold_for => '-5 minutes')", "claim_any($e, 'x', idempotency_key => '')",
	"claim_any(0, '', 0)", "claim_any($e, 'x', 0, section => '')",
	# batches: shape, size, each request in turn (numbered from 1 whatever the bounds)
	"claim_batch($e, NULL)", "claim_batch($e, '{}')", "claim_batch(0, NULL)",
	"claim_batch($e, ARRAY[ARRAY[ROW(1, 'a', NULL)::ticketing.claim_request]])",
	"claim_batch($e, ARRAY(SELECT ROW(g, 'c' || g, NULL)::ticketing.claim_request FROM generate_series(1, 1001) g))",
	"claim_batch($e, ARRAY[NULL]::ticketing.claim_request[])",
	"claim_batch($e, " . $batch->("ROW(1, 'a', NULL)", "NULL") . ")",
	"claim_batch($e, " . $batch->("ROW(0, 'a', NULL)") . ")",
	"claim_batch($e, " . $batch->("ROW(NULL, NULL, NULL)") . ")",
	"claim_batch($e, " . $batch->("ROW(1, 'a', NULL)", "ROW(2, '', NULL)") . ")",
	"claim_batch($e, " . $batch->("ROW(1, 'a', '')") . ")",
	"claim_batch($e, " . $batch->("ROW(1, repeat('a', 201), NULL)") . ")",
	"claim_batch($e, " . $batch->("ROW(1, 'a', repeat('k', 201))") . ")",
	"claim_batch($e, " . $batch->("ROW(1, 'a', 'k')", "ROW(2, 'a', 'k')", "ROW(3, '', NULL)") . ")",
	"claim_batch($e, " . $batch->("ROW(1, 'a', 'k')", "ROW(2, 'b', 'k')", "ROW(-3, 'c', NULL)") . ")",
	"claim_batch($e, '[0:1]={\"(1,a,)\",\"(2,,)\"}'::ticketing.claim_request[])",
	"event_summary(0)", "event_summary(-1)", "event_summary(NULL)",
	# a category and a cart token (1 to 100 bytes), after the arguments before them
	"hold_ticket($e, 1, 'x', cart => '')", "hold_ticket($e, 1, 'x', cart => repeat('t', 101))",
	"hold_ticket($e, 1, 'x', hold_for => '0', cart => '')", "hold_ticket($e, 1, '', cart => '')",
	"claim_tickets($e, ARRAY[1], 'x', cart => '')", "claim_tickets($e, ARRAY[1], 'x', cart => repeat('é', 51))",
	"claim_tickets($e, ARRAY[1, 1], 'x', cart => '')",
	"claim_any($e, 'x', category => '')", "claim_any($e, 'x', category => repeat('c', 101))",
	"claim_any($e, 'x', cart => '')", "claim_any($e, 'x', cart => repeat('t', 101))",
	"claim_any($e, 'x', category => '', cart => '')", "claim_any($e, 'x', 0, category => '')",
	"claim_any($e, 'x', hold_for => '0', category => repeat('c', 101))",
	# 1.3's batch requests: the same shape and request checks, then each request's category and cart
	"claim_batch($e, NULL::ticketing.batch_request[])", "claim_batch($e, '{}'::ticketing.batch_request[])",
	"claim_batch(0, '{}'::ticketing.batch_request[])",
	"claim_batch($e, ARRAY[ARRAY[ROW(1, 'a', NULL, NULL, NULL)::ticketing.batch_request]])",
	"claim_batch($e, ARRAY(SELECT ROW(NULL, 'c' || g, NULL, NULL, NULL)::ticketing.batch_request FROM generate_series(1, 1001) g))",
	"claim_batch($e, ARRAY[NULL]::ticketing.batch_request[])",
	"claim_batch($e, " . $requests->("ROW(1, 'a', NULL, NULL, NULL)", "NULL") . ")",
	"claim_batch($e, " . $requests->("ROW(NULL, NULL, NULL, NULL, NULL)") . ")",
	"claim_batch($e, " . $requests->("ROW(0, 'a', NULL, 'vip', NULL)") . ")",
	"claim_batch($e, " . $requests->("ROW(NULL, 'a', NULL, '', NULL)") . ")",
	"claim_batch($e, " . $requests->("ROW(NULL, 'a', NULL, repeat('c', 101), NULL)") . ")",
	"claim_batch($e, " . $requests->("ROW(NULL, 'a', NULL, NULL, '')") . ")",
	"claim_batch($e, " . $requests->("ROW(NULL, 'a', NULL, 'vip', repeat('t', 101))") . ")",
	"claim_batch($e, " . $requests->("ROW(1, 'a', NULL, NULL, NULL)", "ROW(NULL, '', NULL, '', '')") . ")",
	"claim_batch($e, " . $requests->("ROW(1, 'a', '', '', NULL)") . ")",
	"claim_batch($e, " . $requests->("ROW(1, 'a', 'k', NULL, NULL)", "ROW(2, 'a', 'k', '', NULL)") . ")",
	"claim_batch($e, " . $requests->("ROW(1, 'a', 'k', 'vip', NULL)") . ")",
	"claim_batch($e, " . $requests->("ROW(NULL, 'a', 'k', NULL, NULL)", "ROW(NULL, 'a', 'k', NULL, '')") . ")",
	"claim_batch($e, '[0:1]={\"(1,a,,vip,)\",\"(2,b,,,)\"}'::ticketing.batch_request[])",
	# carts
	"open_cart(NULL, 'x')", "open_cart(0, 'x')", "open_cart($e, NULL)", "open_cart($e, '')",
	"open_cart($e, repeat('x', 201))", "open_cart($e, 'x', expires_in => NULL)",
	"open_cart(0, '', NULL)", "open_cart($e, NULL, NULL)",
	"open_cart($e, '', '0')",
	"extend_cart(NULL, 't', 'x', '1 minute')", "extend_cart($e, NULL, 'x', '1 minute')",
	"extend_cart($e, '', 'x', '1 minute')", "extend_cart($e, repeat('t', 101), 'x', '1 minute')",
	"extend_cart($e, 't', '', '1 minute')", "extend_cart($e, 't', 'x', NULL)", "extend_cart($e, 't', '', NULL)",
	"extend_cart(0, NULL, '', NULL)", "extend_cart($e, '', '', '0')", "extend_cart($e, NULL, 'x', '-1 hour')",
	"checkout_cart($e, NULL, 'x')", "checkout_cart($e, '', 'x')", "checkout_cart($e, repeat('t', 101), 'x')",
	"checkout_cart($e, 't', NULL)", "checkout_cart($e, 't', '')", "checkout_cart($e, 't', 'x', '')",
	"checkout_cart($e, 't', 'x', repeat('k', 201))", "checkout_cart(-1, 't', 'x')", "checkout_cart($e, '', '', '')",
	"abandon_cart($e, NULL, 'x')", "abandon_cart($e, 't', repeat('x', 201))", "abandon_cart($e, 't', 'x', '')",
	"abandon_cart(NULL, NULL, NULL)",
	"cart_contents($e, NULL, 'x')", "cart_contents($e, repeat('t', 101), 'x')", "cart_contents($e, 't', '')",
	"cart_contents(0, 't', 'x')",
	# check-in and transfer (issue 19): a code is the shard's to judge, never an error
	"check_in(NULL, 'c', 'g')", "check_in(0, 'c', 'g')", "check_in($e, NULL, 'g')", "check_in($e, 'c', NULL)",
	"check_in($e, 'c', '')", "check_in($e, 'c', repeat('g', 101))", "check_in($e, 'c', repeat('é', 51))",
	"check_in(0, NULL, '')", "check_in($e, NULL, '')",
	"check_in_batch(NULL, ARRAY[ROW('c', 'g', now())]::ticketing.scan[])", "check_in_batch($e, NULL)",
	"check_in_batch($e, '{}')", "check_in_batch(0, NULL)",
	"check_in_batch($e, ARRAY[ARRAY[ROW('c', 'g', now())::ticketing.scan]])",
	"check_in_batch($e, ARRAY(SELECT ROW('c', 'g', now())::ticketing.scan FROM generate_series(1, 1001)))",
	"check_in_batch($e, ARRAY[ROW('c', 'g', now()), NULL]::ticketing.scan[])",
	"check_in_batch($e, ARRAY[ROW(NULL, 'g', now())]::ticketing.scan[])",
	"check_in_batch($e, ARRAY[ROW('c', NULL, now())]::ticketing.scan[])",
	"check_in_batch($e, ARRAY[ROW('c', 'g', now()), ROW('c', '', now())]::ticketing.scan[])",
	"check_in_batch($e, ARRAY[ROW('c', repeat('g', 101), now())]::ticketing.scan[])",
	"check_in_batch($e, ARRAY[ROW('c', 'g', NULL)]::ticketing.scan[])",
	"check_in_batch($e, ARRAY[ROW('c', 'g', '-infinity')]::ticketing.scan[])",
	"check_in_batch($e, ARRAY[ROW('c', 'g', 'infinity')]::ticketing.scan[])",
	"check_in_batch($e, ARRAY[ROW('c', 'g', now() + interval '2 days')]::ticketing.scan[])",
	"check_in_batch($e, ARRAY[ROW(NULL, '', NULL)]::ticketing.scan[])",
	"check_in_batch($e, '[0:1]={\"(c,g,2020-01-01)\",\"(c,,2020-01-01)\"}'::ticketing.scan[])",
	"transfer_ticket(NULL, 1, 'a', 'b')", "transfer_ticket(0, 1, 'a', 'b')", "transfer_ticket($e, NULL, 'a', 'b')",
	"transfer_ticket($e, -1, 'a', 'b')", "transfer_ticket($e, 1, NULL, 'b')", "transfer_ticket($e, 1, '', 'b')",
	"transfer_ticket($e, 1, repeat('a', 201), 'b')", "transfer_ticket($e, 1, 'a', NULL)",
	"transfer_ticket($e, 1, 'a', '')", "transfer_ticket($e, 1, 'a', repeat('b', 201))",
	"transfer_ticket($e, 1, 'a', 'a')", "transfer_ticket($e, 1, 'a', 'b', '')",
	"transfer_ticket($e, 1, 'a', 'b', repeat('k', 201))", "transfer_ticket($e, 1, 'a', 'a', '')",
	"transfer_ticket(0, 0, '', '', '')",
	"ticket_codes(NULL, 'a')", "ticket_codes(0, 'a')", "ticket_codes($e, NULL)", "ticket_codes($e, '')",
	"ticket_codes($e, repeat('a', 201))", "ticket_codes(-1, '')",
	# the waiting list: the event, the customer, then join_waitlist's own arguments
	"join_waitlist(NULL, 'x')", "join_waitlist(0, 'x')", "join_waitlist($e, NULL)", "join_waitlist($e, '')",
	"join_waitlist($e, repeat('x', 201))", "join_waitlist($e, 'x', NULL)", "join_waitlist($e, 'x', 0)",
	"join_waitlist($e, 'x', 101)", "join_waitlist($e, 'x', category => '')",
	"join_waitlist($e, 'x', category => repeat('c', 101))", "join_waitlist($e, 'x', together => NULL)",
	(map { "join_waitlist($e, 'x', offer_for => $_)" } "NULL", "'0'", "'59 seconds'", "'-1 hour'",
		"'168:00:00.000001'", "'8 days'", "'7 days 4 hours'", "'1 month'", "'-1 day'", "'1 year'",
		"'100000 years'"),
	"join_waitlist(0, '', 0, '', NULL, NULL)", "join_waitlist($e, 'x', 0, category => '')",
	"join_waitlist($e, 'x', category => '', together => NULL)", "join_waitlist($e, 'x', together => NULL, offer_for => '0')",
	"leave_waitlist(NULL, 'x')", "leave_waitlist(0, 'x')", "leave_waitlist($e, NULL)", "leave_waitlist($e, '')",
	"leave_waitlist(-1, '')", "waitlist_position($e, repeat('x', 201))", "waitlist_position(NULL, NULL)",
	"offer_waitlist(0)", "offer_waitlist(NULL)", "open_waitlist(NULL)", "close_waitlist(NULL)",
);

# Each bad call on the router and on the shard directly: the same error, raised on the
# router (a shard's error reaches the caller through PL/Proxy as "... REMOTE ERROR: ...").
for my $call (@refused)
{
	my $sql = "SELECT * FROM ticketing.$call";
	my $on_shard = error_of($shard, $sql);
	my $on_router = error_of($router, $sql);
	isnt($on_shard, '', "bad input for the shard: $call");
	is($on_router, $on_shard, "refused on the router as on the shard: $call");
}

# What the router cannot decide goes to the shard: a key used twice by one customer in a
# batch (left to the shard on purpose), hold lengths whose calendar units make the answer
# depend on the date or the time zone, an unknown event.
for my $call ("claim_batch($e, " . $batch->("ROW(1, 'a', 'k')", "ROW(2, 'a', 'k')") . ")",
	"hold_ticket($e, 1, 'x', hold_for => '30 days 2 hours')",
	"hold_ticket($e, 1, 'x', hold_for => '30 days 00:00:00.000001')",
	"hold_ticket($e, 1, 'x', hold_for => '1 month -30 days -23 hours -59 minutes -59.5 seconds')",
	"event_summary(424242)",
	# a cart's lifetime and extension out of range: the shard's message names its ceiling
	"open_cart($e, 'x', expires_in => '0')", "open_cart($e, 'x', expires_in => '-1 hour')",
	"open_cart($e, 'x', expires_in => '0.5 seconds')", "open_cart($e, 'x', expires_in => '30 days')",
	"extend_cart($e, 'unknown', 'x', '0.5 seconds')", "extend_cart($e, 'unknown', 'x', '-5 minutes')",
	# an offer's length in days (a clock change may make it longer), an unknown event
	"join_waitlist($e, 'x', offer_for => '7 days')", "join_waitlist($e, 'x', offer_for => '1 month -24 days')",
	"open_waitlist(424242)", "close_waitlist(-1)", "offer_waitlist(424242)")
{
	my $on_router = error_of($router, "SELECT * FROM ticketing.$call");
	my $on_shard = error_of($shard, "SELECT * FROM ticketing.$call");
	ok($on_router eq $on_shard && $on_shard eq ''
		  || $on_router =~ /^(\w{5})\|ticketing\.\w+\(\d+\): \[shop\] REMOTE ERROR: / && $on_shard =~ /^$1\|/,
		"left to the shard, which answers: $call")
	  or diag("router: $on_router\nshard: $on_shard");
}

# Valid input at every edge reaches the shard and is answered.
my $t = 100;
for my $call ((map { "claim_ticket($e, " . $t++ . ", 'x', wait => $_)" } "'300s'", "'300000ms'", "'.5s'",
		"'0.001s'", "'1 s'", "'000001ms'", "'299.9999s'", "'1.s'", "'1ms'", "'skip'", "'nowait'"),
	"claim_ticket($e, " . $t++ . ", repeat('x', 200))", "claim_ticket($e, " . $t++ . ", repeat('é', 100))",
	"claim_ticket($e, " . $t++ . ", 'x', idempotency_key => repeat('k', 200))",
	(map { "hold_ticket($e, " . $t++ . ", 'x', hold_for => $_)" } "'1 second'", "'30 days'", "'720 hours'",
		"'29 days 23:59:59'", "'1 day -23 hours'"),
	"claim_tickets($e, ARRAY(SELECT generate_series(101, 200))::bigint[], 'y')",
	"claim_tickets($e, '[5:6]={150,151}', 'z', hold_for => '2 minutes')",
	"claim_any($e, 'q', 100)", "claim_any($e, 'q', 1, section => repeat('s', 200))",
	"claim_batch($e, ARRAY(SELECT ROW(NULL, 'c' || g, 'k' || g)::ticketing.claim_request FROM generate_series(1, 1000) g))",
	"claim_batch($e, '[0:1]={\"(1,a,k)\",\"(2,b,k)\"}'::ticketing.claim_request[])",
	"event_summary($e)",
	"hold_ticket($e, " . $t++ . ", 'x', cart => repeat('t', 100))", "hold_ticket($e, " . $t++ . ", 'x', cart => repeat('é', 50))",
	"claim_tickets($e, ARRAY[" . $t++ . "], 'x', cart => 't')",
	"claim_any($e, 'q', 1, category => repeat('c', 100))", "claim_any($e, 'q', 1, category => 'c', cart => repeat('t', 100))",
	"claim_batch($e, ARRAY(SELECT ROW(NULL, 'd' || g, 'k' || g, repeat('c', 100), NULL)::ticketing.batch_request FROM generate_series(1, 1000) g))",
	"claim_batch($e, '[0:1]={\"(,e,k,vip,t)\",\"(2,f,k,,)\"}'::ticketing.batch_request[])",
	"open_cart($e, repeat('x', 200))", "open_cart($e, 'x', '1 minute')",
	"extend_cart($e, repeat('t', 100), 'x', '1 second')", "extend_cart($e, 't', 'x', '2 hours')",
	"checkout_cart($e, 't', repeat('x', 200), repeat('k', 200))", "abandon_cart($e, repeat('é', 50), 'x', 'k')",
	"cart_contents($e, 't', 'x')",
	"check_in($e, '', repeat('g', 100))", "check_in($e, 'not a code', repeat('é', 50))",
	"check_in_batch($e, ARRAY(SELECT ROW('c' || g, 'g', now() + interval '23 hours')::ticketing.scan FROM generate_series(1, 1000) g))",
	"check_in_batch($e, '[0:1]={\"(c,g,2020-01-01)\",\"(d,h,2020-01-01)\"}'::ticketing.scan[])",
	"transfer_ticket($e, 1, repeat('a', 200), repeat('b', 200), repeat('k', 200))",
	"ticket_codes($e, repeat('a', 200))",
	"join_waitlist($e, repeat('x', 200), 100, repeat('c', 100), true, '1 minute')",
	"join_waitlist($e, repeat('é', 100), offer_for => '168 hours')",
	"leave_waitlist($e, repeat('x', 200))", "waitlist_position($e, 'x')", "waitlist($e)", "waitlist(0)",
	"pending_offers($e)", "pending_offers(-1)", "offer_waitlist($e)")
{
	is(error_of($router, "SELECT * FROM ticketing.$call"), '', "answered: $call");
}

# The router's connection to the shard survives a stream of bad calls: the shard backend
# that serves this router session is the same before and after. The same check sees a
# bad call the shard refuses end that connection.
r("CREATE FUNCTION public.shard_backend(shard integer) RETURNS integer LANGUAGE plproxy AS \$\$
       CLUSTER 'ticketing_shards'; RUN ON shard; SELECT pg_backend_pid();
   \$\$");
sub backends_around
{
	my @calls = @_;
	my ($ret, $out, $err) = $router->psql($db,
		join("\n", "SELECT public.shard_backend($shard_no);", (map { "SELECT * FROM ticketing.$_;" } @calls),
			"SELECT public.shard_backend($shard_no);"), on_error_stop => 0);
	my @pids = grep { /^\d+$/ } split /\n/, $out;
	my $errors = () = $err =~ /^psql:[^\n]*? ERROR:/mg;
	return ($pids[0], $pids[-1], $errors);
}
my ($before, $after, $errors) = backends_around(@refused);
is($errors, scalar(@refused), 'a session sends every bad call through the router: each fails');
is($after, $before, 'and the router\'s connection to the shard is the same one after them all');
($before, $after, $errors) = backends_around("claim_batch($e, " . $batch->("ROW(1, 'a', 'k')", "ROW(2, 'a', 'k')") . ")");
is($errors, 1, 'a bad call the shard refuses');
isnt($after, $before, 'ends the router\'s connection to the shard');

done_testing();
