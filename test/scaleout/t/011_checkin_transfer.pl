# Check-in and transfer through the router (issue 19): on one event of each shard, every
# sale routed by the router returns the ticket's code (ticket_result.code,
# order_result.codes, batch_result.code), ticket_codes finds the same code, check_in and
# check_in_batch admit once on the event's shard (already_admitted after, with the first
# gate), transfer_ticket moves a ticket there (its old code revoked, the new one admits)
# and nothing changes on the other shard. Each shard has its own secret: a code of an
# event on the other shard is unknown there. The shard's errors pass through with their
# SQLSTATE.
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
sub count_on
{
	my ($i, $table, $e, $where) = @_;
	$where = defined $where ? " AND $where" : '';
	return on_shard($i, "SELECT count(*) FROM ticketing.$table WHERE event_id = $e$where");
}
my $is_code = qr/^TK1\.[A-Za-z0-9_-]{20,48}$/;

my @events = map { r("SELECT min(g) FROM generate_series(1, 100) g WHERE ticketing.shard_of(g, 2) = $_") } 0, 1;
my %first_code;
for my $s (0, 1)
{
	my $e = $events[$s];
	my $o = 1 - $s;
	r("SELECT ticketing.create_event('gates on shard $s', per_customer_limit => 3, event_id => $e)");
	r("SELECT ticketing.add_tickets($e, 10)");

	# Every sale answers with the code; the lookup finds the same.
	my $code = r("SELECT code FROM ticketing.claim_ticket($e, 1, 'alice')");
	like($code, $is_code, "claim_ticket returns a code (shard $s)");
	is(r("SELECT code FROM ticketing.ticket_codes($e, 'alice') WHERE ticket_id = 1"), $code,
		'ticket_codes finds the same code');
	is(r("SELECT outcome || ' ' || cardinality(codes) FROM ticketing.claim_tickets($e, ARRAY[2, 3], 'bob')"),
		'claimed 2', 'claim_tickets returns a code per ticket');
	like(r("SELECT code FROM ticketing.claim_batch($e, ARRAY[ROW(4, 'carol', NULL, NULL, NULL)]::ticketing.batch_request[])"),
		$is_code, 'claim_batch returns the code');
	is(r("SELECT outcome FROM ticketing.hold_ticket($e, 5, 'dave')"), 'hold_placed', 'a hold');
	like(r("SELECT code FROM ticketing.confirm_hold($e, 5, 'dave')"), $is_code, 'confirm_hold returns the code');
	$first_code{$s} = $code;

	# At the gate.
	is(r("SELECT concat_ws(' ', outcome, ticket_id, gate) FROM ticketing.check_in($e, '$code', 'north')"),
		'admitted 1 north', "check_in admits (shard $s)");
	is(r("SELECT concat_ws(' ', outcome, ticket_id, gate) FROM ticketing.check_in($e, '$code', 'south')"),
		'already_admitted 1 north', 'a second scan: already_admitted with the first gate');
	is(count_on($s, 'admissions', $e) . ' ' . count_on($o, 'admissions', $e), '1 0',
		"the admission is on shard $s only");
	is(r("SELECT outcome FROM ticketing.release_ticket($e, 1, 'alice')"), 'already_admitted',
		'a checked-in ticket is not refunded');
	is(r("SELECT outcome FROM ticketing.check_in($e, 'TK1.forged', 'north')"), 'unknown_code', 'a forged code');

	# An offline gate's upload: the earliest scan of bob's ticket 2 wins.
	my ($bob2, $bob3) = split /\n/, r("SELECT code FROM ticketing.ticket_codes($e, 'bob') ORDER BY ticket_id");
	is(r("SELECT string_agg(concat_ws(' ', scan_no, outcome, ticket_id, gate), ', ' ORDER BY scan_no)
	        FROM ticketing.check_in_batch($e, ARRAY[ROW('$bob2', 'east', now() - interval '1 minute'),
	                                               ROW('$bob2', 'west', now() - interval '2 minutes'),
	                                               ROW('$bob3', 'east', now() - interval '3 minutes')]::ticketing.scan[])"),
		'1 already_admitted 2 west, 2 admitted 2 west, 3 admitted 3 east', "check_in_batch: the earliest scan wins (shard $s)");

	# A transfer: the receiver's new code admits, the old one is revoked.
	my $carol = r("SELECT code FROM ticketing.ticket_codes($e, 'carol')");
	my ($outcome, $new) = split /\|/, r("SELECT outcome, code FROM ticketing.transfer_ticket($e, 4, 'carol', 'erin', 'tr-1')");
	is($outcome, 'transferred', "transfer_ticket (shard $s)");
	like($new, $is_code, 'with the receiver\'s new code');
	isnt($new, $carol, 'a new one');
	is(r("SELECT code FROM ticketing.transfer_ticket($e, 4, 'carol', 'erin', 'tr-1')"), $new,
		'a retry with the key replays the transfer and its code');
	is(count_on($s, 'tickets', $e, "ticket_id = 4 AND owner = 'erin'") . ' ' . count_on($o, 'tickets', $e),
		'1 0', "the ticket is erin's on shard $s");
	is(r("SELECT outcome FROM ticketing.check_in($e, '$carol', 'north')"), 'revoked', 'the old code is revoked');
	is(r("SELECT outcome FROM ticketing.check_in($e, '$new', 'north')"), 'admitted', 'the new one admits');
	is(r("SELECT outcome FROM ticketing.transfer_ticket($e, 1, 'alice', 'erin')"), 'already_admitted',
		'a checked-in ticket is not transferred');
	r("SELECT ticketing.claim_tickets($e, ARRAY[6, 7], 'erin')");
	is(r("SELECT outcome FROM ticketing.transfer_ticket($e, 5, 'dave', 'erin')"), 'limit_reached',
		'the receiver\'s limit applies');
	my ($state) = psql_error($router, "SELECT ticketing.transfer_ticket($e, 4, 'carol', 'frank', 'tr-1')");
	is($state, 'TK001', 'a key reused for another transfer: TK001 from the shard');
}

# A code of the other shard's event: that shard has its own secret.
is(r("SELECT outcome FROM ticketing.check_in($events[1], '$first_code{0}', 'north')"), 'unknown_code',
	'a code of an event on the other shard is unknown there');
is(r("SELECT count(*) FROM ticketing.verify()"), 0, 'verify() over the cluster is clean');

done_testing();
