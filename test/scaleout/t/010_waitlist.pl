# The waiting list through the router (issue 19): on one event of each shard, every call
# of the list runs on the shard that owns the event and changes nothing on the other. A
# release made through the router is offered, on the shard and in the release's own
# transaction, to the first waiting entry it fits (nobody can claim the ticket after the
# release answers; a LISTEN on the shard hears the offer's NOTIFY); the waiter sees the offer through the router (waitlist_position), and
# so do the staff (waitlist, pending_offers); leaving, closing and joining a closed list
# answer as on the shard; bad arguments are refused on the router (t/007 compares them).
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

# position(EVENT, CUSTOMER): waitlist_position's outcome, place, status and tickets.
sub position
{
	my ($e, $customer) = @_;
	return r("SELECT concat_ws(' ', outcome, place, status, ticket_ids::text)
	            FROM ticketing.waitlist_position($e, '$customer')");
}

my @events = map { r("SELECT min(g) FROM generate_series(1, 100) g WHERE ticketing.shard_of(g, 2) = $_") } 0, 1;
for my $s (0, 1)
{
	my $e = $events[$s];
	my $o = 1 - $s;
	r("SELECT ticketing.create_event('waiting list on shard $s', per_customer_limit => 2, event_id => $e)");
	r("SELECT ticketing.add_tickets($e, 4)");

	is(r("SELECT outcome FROM ticketing.join_waitlist($e, 'early')"), 'waitlist_closed',
		"join_waitlist before the list is open (shard $s)");
	r("SELECT ticketing.open_waitlist($e)");
	is(on_shard($s, "SELECT waitlist_open FROM ticketing.events WHERE event_id = $e"), 't',
		"open_waitlist opens the list on shard $s");
	is(on_shard($o, "SELECT count(*) FROM ticketing.events WHERE event_id = $e"), 0, "the event is not on shard $o");

	# Sold out; two waiters.
	is(r("SELECT string_agg(outcome, ',') FROM (SELECT (ticketing.claim_any($e, 'buyer-' || i, 2)).outcome
	                                              FROM generate_series(1, 2) i) c"),
		'claimed,claimed', 'sold out');
	is(r("SELECT concat_ws(' ', outcome, entry_id > 0, place, status) FROM ticketing.join_waitlist($e, 'wendy', together => true)"),
		'joined t 1 waiting', 'join_waitlist: joined, first in line');
	is(r("SELECT concat_ws(' ', outcome, place, status)
	        FROM ticketing.join_waitlist($e, 'xavier', quantity => 2, offer_for => '5 minutes')"),
		'joined 2 waiting', 'a group of two joins second');
	is(r("SELECT concat_ws(' ', outcome, place) FROM ticketing.join_waitlist($e, 'wendy', quantity => 2)"),
		'already_waiting 1', 'joining again answers the entry as it stands');
	is(position($e, 'xavier'), 'waiting 2 waiting', 'waitlist_position: second in line');
	is(position($e, 'nobody'), 'not_waiting', 'waitlist_position of a customer who never joined');
	is(on_shard($s, "SELECT string_agg(customer || ' ' || quantity || ' ' || together || ' ' || offer_for, ', '
	                                   ORDER BY entry_id)
	                   FROM ticketing.waitlist_entries WHERE event_id = $e"),
		'wendy 1 true 00:15:00, xavier 2 false 00:05:00', "the entries, with their arguments, are on shard $s");
	is(on_shard($o, "SELECT count(*) FROM ticketing.waitlist_entries WHERE event_id = $e"), 0, "and none on shard $o");

	# A refund through the router: the ticket goes to wendy in the refund's transaction,
	# and a mailer LISTENing on the shard hears of the offer once it commits.
	my $mailer = $shards->[$s]->background_psql($db);
	$mailer->query_safe("LISTEN ticketing_waitlist_$e");
	my $first = on_shard($s, "SELECT min(ticket_id) FROM ticketing.tickets WHERE event_id = $e AND owner = 'buyer-1'");
	is(r("SELECT outcome FROM ticketing.release_ticket($e, $first, 'buyer-1')"), 'released', 'a refund through the router');
	my $wendy_entry = on_shard($s, "SELECT entry_id FROM ticketing.waitlist_entries WHERE event_id = $e AND customer = 'wendy'");
	like($mailer->query_safe("SELECT 'heard'"),
		qr/Asynchronous notification "ticketing_waitlist_$e" with payload "\{"event_id":$e,"entry_id":$wendy_entry,"tickets":1\}"/,
		"the offer's NOTIFY, on shard $s");
	$mailer->quit;
	is(on_shard($s, "SELECT status || ' ' || owner || ' ' || (hold_expires_at > now() + interval '14 minutes')
	                   FROM ticketing.tickets WHERE event_id = $e AND ticket_id = $first"),
		'held wendy true', 'the refunded ticket is held for wendy, for her offer_for');
	is(r("SELECT outcome FROM ticketing.claim_ticket($e, $first, 'sneaky')"), 'held',
		'nobody else can claim it once the refund answered');
	is(r("SELECT outcome FROM ticketing.claim_any($e, 'sneaky')"), 'sold_out', 'nor take it with claim_any');
	is(position($e, 'wendy'), "offered offered {$first}", 'waitlist_position: the offer, with its ticket');
	is(r("SELECT offer_expires_at > now() FROM ticketing.waitlist_position($e, 'wendy')"), 't', 'and its expiry');
	is(r("SELECT concat_ws(' ', customer, ticket_ids::text, seats::text, offer_expires_at > now())
	        FROM ticketing.pending_offers($e)"),
		"wendy {$first} {GA-$first} t", 'pending_offers: the open offer, for a mailer');
	is(r("SELECT string_agg(concat_ws(' ', customer, place, status, ticket_ids::text), ', ' ORDER BY entry_id)
	        FROM ticketing.waitlist($e)"),
		"wendy offered {$first}, xavier 1 waiting", 'waitlist: the staff\'s list, xavier now first');

	# One ticket does not fit a group of two; the second does, then both are offered.
	my @second = split /\n/, on_shard($s, "SELECT ticket_id FROM ticketing.tickets WHERE event_id = $e
	                                          AND owner = 'buyer-2' ORDER BY ticket_id");
	is(r("SELECT outcome FROM ticketing.release_ticket($e, $second[0], 'buyer-2')"), 'released', 'a second refund');
	is(position($e, 'xavier'), 'waiting 1 waiting', 'one ticket does not fit xavier\'s two');
	is(r("SELECT outcome FROM ticketing.release_ticket($e, $second[1], 'buyer-2')"), 'released', 'a third refund');
	is(position($e, 'xavier'), "offered offered {$second[0],$second[1]}", 'with the second free, both are offered to xavier');

	# The waiter confirms with confirm_hold; the staff's list says accepted.
	is(r("SELECT outcome FROM ticketing.confirm_hold($e, $first, 'wendy')"), 'claimed', 'wendy confirms her offer');
	is(r("SELECT concat_ws(' ', status, bought) FROM ticketing.waitlist($e) WHERE customer = 'wendy'"), 'accepted 1',
		'waitlist: accepted, one bought');
	is(position($e, 'wendy'), 'not_waiting', 'a finished offer is no longer a place in line');

	# Leaving with an open offer gives its tickets up; they go on to the next entry (yan).
	is(r("SELECT concat_ws(' ', outcome, place) FROM ticketing.join_waitlist($e, 'yan', quantity => 2)"), 'joined 1',
		'another group joins');
	is(r("SELECT concat_ws(' ', outcome, status, ticket_ids::text) FROM ticketing.leave_waitlist($e, 'xavier')"),
		"left left {$second[0],$second[1]}", 'leave_waitlist gives up the offer');
	is(position($e, 'yan'), "offered offered {$second[0],$second[1]}", 'and the tickets go to yan in that call');
	is(r("SELECT outcome FROM ticketing.leave_waitlist($e, 'xavier')"), 'not_waiting', 'leaving twice');
	is(r("SELECT status FROM ticketing.waitlist($e) WHERE customer = 'xavier'"), 'declined', 'waitlist: declined');
	is(r("SELECT ticketing.offer_waitlist($e)"), 0, 'offer_waitlist: nothing free, no offer');

	# Closing the list: waiting entries close, offers made stand, joining says closed.
	is(r("SELECT outcome FROM ticketing.join_waitlist($e, 'zed')"), 'joined', 'one more waiter');
	is(r("SELECT ticketing.close_waitlist($e)"), 1, 'close_waitlist closes the waiting entry');
	is(r("SELECT outcome FROM ticketing.join_waitlist($e, 'late')"), 'waitlist_closed', 'joining a closed list');
	is(r("SELECT count(*) FROM ticketing.pending_offers($e)"), 1, 'yan\'s offer stands');
	is(on_shard($o, "SELECT count(*) FROM ticketing.waitlist_entries WHERE event_id = $e"), 0,
		"shard $o has no entry of the event");
}

# The shard's SQLSTATEs come back through the router.
my ($state) = psql_error($router, "SELECT ticketing.open_waitlist(424242)");
is($state, 'P0002', 'open_waitlist of an unknown event: P0002 from the shard');
($state) = psql_error($router, "SELECT ticketing.join_waitlist($events[0], 'x', offer_for => '30 seconds')");
is($state, '22023', 'an offer under a minute: 22023');
is(r("SELECT count(*) FROM ticketing.verify()"), 0, 'verify() over the cluster is clean');

done_testing();
