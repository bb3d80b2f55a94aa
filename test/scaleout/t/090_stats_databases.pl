# ticketing.stats on a server with the library preloaded (counters in shared memory):
# the same event id in two databases of one server keeps two sets of counters (issue 16,
# finding 15: 1.2 keyed them by event id alone and showed the sum in every database),
# each database has its own total, reset_stats() in one database leaves the other's
# counts alone, and calls naming events that do not exist never take counters of their
# own (finding 9).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/..";
use ScaleoutNodes;
use Test::More;

my $node = start_node('stats', "shared_preload_libraries = '" . preload_ticketing() . "'\n");
$node->safe_psql('postgres', 'CREATE DATABASE shop2');
for my $db ('shop', 'shop2')
{
	$node->safe_psql($db,
		"CREATE EXTENSION ticketing;
		 SELECT ticketing.create_event('same id', event_id => 1);
		 SELECT ticketing.add_tickets(1, 100);");
}

# shop sells 3 and is refused 2; shop2 sells 5 and asks 4 times for an event it lacks.
$node->safe_psql('shop',
	"SELECT ticketing.claim_ticket(1, g, 'a') FROM generate_series(1, 3) g;
	 SELECT ticketing.claim_ticket(1, 1, 'b') FROM generate_series(1, 2) g;");
$node->safe_psql('shop2',
	"SELECT ticketing.claim_ticket(1, g, 'a') FROM generate_series(1, 5) g;
	 SELECT ticketing.claim_ticket(1000 + g, 1, 'a') FROM generate_series(1, 4) g;");

sub stats
{
	my ($db) = @_;
	return $node->safe_psql($db,
		"SELECT coalesce(event_id::text, 'total') || ' ' || scope || ' attempts=' || attempts
		        || ' claimed=' || claimed || ' already_sold=' || already_sold
		        || ' not_found=' || not_found
		   FROM ticketing.stats ORDER BY event_id NULLS FIRST");
}

is(stats('shop'),
	"total cluster attempts=5 claimed=3 already_sold=2 not_found=0\n"
	  . "1 cluster attempts=5 claimed=3 already_sold=2 not_found=0",
	'shop sees its own calls only');
is(stats('shop2'),
	"total cluster attempts=9 claimed=5 already_sold=0 not_found=4\n"
	  . "1 cluster attempts=5 claimed=5 already_sold=0 not_found=0",
	'shop2 sees its own calls only; the events it lacks have no counters');

# A new session of each database sees the same (shared memory, not the session's).
is($node->safe_psql('shop', 'SELECT claimed FROM ticketing.stats WHERE event_id = 1'),
	'3', 'a new session of shop reads the shared counters');

$node->safe_psql('shop', 'SELECT ticketing.reset_stats()');
is(stats('shop'), 'total cluster attempts=0 claimed=0 already_sold=0 not_found=0',
	"reset_stats() in shop zeroes shop's total and frees its event's counters");
is(stats('shop2'),
	"total cluster attempts=9 claimed=5 already_sold=0 not_found=4\n"
	  . "1 cluster attempts=5 claimed=5 already_sold=0 not_found=0",
	"and leaves shop2's alone");

# After the reset, shop counts event 1 again from zero.
$node->safe_psql('shop', "SELECT ticketing.claim_ticket(1, 10, 'c')");
is(stats('shop'),
	"total cluster attempts=1 claimed=1 already_sold=0 not_found=0\n"
	  . "1 cluster attempts=1 claimed=1 already_sold=0 not_found=0",
	'shop tracks event 1 again after the reset');

$node->stop;
done_testing();
