# The calls of categories, quotas and carts through the router (issue 18): on one event of
# each shard, every new call runs on the shard that owns the event and changes nothing on
# the other (tickets with their category, quotas, carts and their sales land there only);
# outcomes and the quota they name come back as values, SQLSTATEs of the shard's errors
# pass through, the 1.2 and 1.3 forms of claim_batch both route, and the summaries over the
# cluster (category_summaries, quota_summaries) gather both shards.
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

# count_on(SHARD, TABLE, EVENT, CONDITION): rows of the extension's TABLE for the event there.
sub count_on
{
	my ($i, $table, $e, $where) = @_;
	$where = defined $where ? " AND $where" : '';
	return on_shard($i, "SELECT count(*) FROM ticketing.$table WHERE event_id = $e$where");
}

my @events = map { r("SELECT min(g) FROM generate_series(1, 100) g WHERE ticketing.shard_of(g, 2) = $_") } 0, 1;
for my $s (0, 1)
{
	my $e = $events[$s];
	my $o = 1 - $s;
	r("SELECT ticketing.create_event('event on shard $s', event_id => $e)");

	# Categories: add_tickets with a category, both forms.
	is(r("SELECT ticketing.add_tickets($e, 4, category => 'vip')"), 4, "add_tickets with a category (shard $s)");
	is(r("SELECT ticketing.add_tickets($e, ARRAY['S-1', 'S-2', 'S-3', 'S-4', 'S-5', 'S-6'], category => 'standard')"), 6,
		"add_tickets of seat labels with a category (shard $s)");
	is(on_shard($s, "SELECT string_agg(category || ' ' || n, ', ' ORDER BY category)
	                   FROM (SELECT category, count(*) AS n FROM ticketing.tickets WHERE event_id = $e GROUP BY 1) c"),
		'standard 6, vip 4', "the tickets and their categories are on shard $s");
	is(count_on($o, 'tickets', $e), 0, "and none on shard $o");

	# Quotas: made, used, resized on the event's shard.
	cmp_ok(r("SELECT ticketing.create_quota($e, 'hall', 5, ARRAY['vip', 'standard'], stripes => 4)"), '>', 0,
		"create_quota (shard $s)");
	cmp_ok(r("SELECT ticketing.create_quota($e, 'vip-only', 2, ARRAY['vip'])"), '>', 0, 'a second, overlapping quota');
	is(count_on($s, 'quotas', $e) . ' ' . count_on($o, 'quotas', $e), '2 0', "both quotas are on shard $s only");
	is(r("SELECT outcome || ' ' || array_length(ticket_ids, 1) FROM ticketing.claim_any($e, 'v1', 2, category => 'vip')"),
		'claimed 2', 'claim_any with a category');
	is(on_shard($s, "SELECT string_agg(DISTINCT category, ',') FROM ticketing.tickets WHERE event_id = $e AND owner = 'v1'"),
		'vip', 'the tickets sold are of that category');
	is(r("SELECT outcome || ' ' || coalesce(quota, '-') FROM ticketing.claim_any($e, 'v2', 1, category => 'vip')"),
		'quota_exhausted vip-only', 'quota_exhausted names the quota (order_result.quota)');
	is(r("SELECT outcome || ' ' || coalesce(quota, '-') FROM ticketing.claim_ticket($e, 5, 's1')"), 'claimed -',
		'claim_ticket of a standard seat (ticket_result.quota NULL)');
	my ($state) = psql_error($router, "SELECT ticketing.resize_quota($e, 'hall', 2)");
	is($state, '23514', 'resize_quota below what is sold: 23514 through the router');
	r("SELECT ticketing.resize_quota($e, 'hall', 8)");
	is(r("SELECT string_agg(concat_ws(' ', quota, categories::text, size, sold, held, available), '; ' ORDER BY quota)
	        FROM ticketing.quota_summary($e)"),
		'hall {standard,vip} 8 3 0 5; vip-only {vip} 2 2 0 0', 'quota_summary after resize_quota');

	# A cart filled by every call that takes one, then checked out.
	my ($token, $expires) = split /\|/,
	  r("SELECT token, expires_at - now() > '9 minutes' FROM ticketing.open_cart($e, 'buyer', expires_in => '10 minutes')");
	ok(length($token) > 0 && length($token) <= 100, "open_cart gives a token (shard $s)");
	is($expires, 't', 'that expires when asked');
	is(count_on($s, 'carts', $e) . ' ' . count_on($o, 'carts', $e), '1 0', "the cart is on shard $s only");
	is(r("SELECT outcome FROM ticketing.hold_ticket($e, 6, 'buyer', cart => '$token')"), 'hold_placed',
		'hold_ticket into the cart');
	is(r("SELECT outcome FROM ticketing.claim_tickets($e, ARRAY[7], 'buyer', cart => '$token')"), 'hold_placed',
		'claim_tickets into the cart');
	is(r("SELECT outcome FROM ticketing.claim_any($e, 'buyer', category => 'standard', cart => '$token')"), 'hold_placed',
		'claim_any of a category into the cart');
	is(r("SELECT string_agg(outcome || ' ' || coalesce(quota, '-'), ', ' ORDER BY request_no)
	        FROM ticketing.claim_batch($e, ARRAY[ROW(NULL, 'buyer', 'b-1', 'standard', '$token'),
	                                             ROW(NULL, 'v3', NULL, 'vip', NULL)]::ticketing.batch_request[])"),
		'hold_placed -, quota_exhausted vip-only', 'claim_batch with batch_requests: into the cart, and a quota refusal');
	is(r("SELECT outcome || ' ' || cardinality(ticket_ids) FROM ticketing.cart_contents($e, '$token', 'buyer')"), 'opened 4',
		'cart_contents: four items');
	is(r("SELECT outcome FROM ticketing.cart_contents($e, '$token', 'intruder')"), 'cart_not_found',
		'another customer\'s token is not found');
	is(r("SELECT outcome FROM ticketing.extend_cart($e, '$token', 'buyer', '5 minutes')"), 'extended', 'extend_cart');
	is(r("SELECT outcome FROM ticketing.extend_cart($e, '$token', 'buyer', '2 hours')"), 'capped',
		'extend_cart past the ceiling is capped');

	# A second cart, abandoned; an empty one.
	my $second = r("SELECT token FROM ticketing.open_cart($e, 'other')");
	my $last = on_shard($s, "SELECT min(ticket_id) FROM ticketing.tickets WHERE event_id = $e AND category = 'standard'
	                                                                      AND status = 'available'");
	is(r("SELECT outcome FROM ticketing.hold_ticket($e, $last, 'other', cart => '$second')"), 'hold_placed',
		'a second cart takes the last standard seat');
	is(r("SELECT outcome || ' ' || ticket_ids::text FROM ticketing.abandon_cart($e, '$second', 'other', 'ab-1')"),
		"released {$last}", 'abandon_cart releases its item');
	is(r("SELECT outcome FROM ticketing.cart_contents($e, '$second', 'other')"), 'cart_closed', 'the cart is closed');
	my $empty = r("SELECT token FROM ticketing.open_cart($e, 'idle')");
	is(r("SELECT outcome FROM ticketing.checkout_cart($e, '$empty', 'idle')"), 'empty_cart', 'an empty cart');

	is(r("SELECT outcome || ' ' || cardinality(ticket_ids) FROM ticketing.checkout_cart($e, '$token', 'buyer', 'co-1')"),
		'claimed 4', 'checkout_cart sells every item');
	is(count_on($s, 'tickets', $e, "owner = 'buyer' AND status = 'sold'") . ' ' . count_on($o, 'tickets', $e),
		'4 0', "the four sales are on shard $s");
	is(r("SELECT outcome FROM ticketing.checkout_cart($e, '$token', 'buyer', 'co-2')"), 'already_owned',
		'a cart checked out already');
	is(r("SELECT outcome FROM ticketing.cart_contents($e, '$token', 'buyer')"), 'already_owned', 'cart_contents says so');

	# The hall is full once the last standard seat sells; a seat added later is refused by it.
	is(r("SELECT outcome FROM ticketing.claim_any($e, 'late', category => 'standard')"), 'claimed', 'the last standard seat');
	r("SELECT ticketing.add_tickets($e, ARRAY['S-7'], category => 'standard')");
	is(r("SELECT outcome || ' ' || quota FROM ticketing.claim_ticket($e, 11, 'later')"), 'quota_exhausted hall',
		'quota_exhausted names the quota (ticket_result.quota)');
	is(r("SELECT string_agg(concat_ws(' ', category, total, available, held, sold), '; ' ORDER BY category)
	        FROM ticketing.category_summary($e)"),
		'standard 7 1 0 6; vip 4 2 0 2', 'category_summary');
	r("SELECT ticketing.drop_quota($e, 'vip-only')");
	is(count_on($s, 'quotas', $e), 1, 'drop_quota');
	is(r("SELECT outcome FROM ticketing.claim_any($e, 'v2', 1, category => 'vip')"), 'quota_exhausted',
		'the hall still covers vip');
	r("SELECT ticketing.resize_quota($e, 'hall', 9)");
	is(r("SELECT outcome FROM ticketing.claim_any($e, 'v2', 1, category => 'vip')"), 'claimed',
		'and sells again once resized');
}

# The summaries over the cluster: both events, each with its shard.
is(r("SELECT string_agg(concat_ws(' ', event_id, category, sold, shard), '; ' ORDER BY event_id, category)
        FROM ticketing.category_summaries() WHERE problem IS NULL"),
	join('; ', map { ("$events[$_] standard 6 $_", "$events[$_] vip 3 $_") } 0, 1),
	'category_summaries: every category of every event, with its shard');
is(r("SELECT string_agg(concat_ws(' ', event_id, quota, size, sold, shard), '; ' ORDER BY event_id)
        FROM ticketing.quota_summaries() WHERE problem IS NULL"),
	join('; ', map { "$events[$_] hall 9 9 $_" } 0, 1), 'quota_summaries: every quota of every event');
is(r("SELECT count(*) FROM ticketing.category_summaries() WHERE problem IS NOT NULL")
	  + r("SELECT count(*) FROM ticketing.quota_summaries() WHERE problem IS NOT NULL"), 0, 'no shard reports a problem');

# claim_batch's 1.2 requests still route beside 1.3's.
is(r("SELECT string_agg(outcome, ',') FROM ticketing.claim_batch($events[0], ARRAY[ROW(5, 'old-form', NULL)]::ticketing.claim_request[])"),
	'already_sold', 'claim_batch with claim_requests');
is(r("SELECT count(*) FROM ticketing.verify()"), 0, 'verify() over the cluster is clean');

done_testing();
