# The live feed hands out only what lasts. A sale committed with synchronous_commit =
# off is visible before its commit record is on disk; changes_since must not hand it out
# until it is durable: a reader handed a sale that an immediate stop then erases would
# keep it for ever, and the audit id the crash gave back would go to a later sale, which
# a reader past that id never gets. Here the WAL writer sleeps 10 s, so only the read can
# have made the sale durable (the build before this test fails its second check).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use PostgreSQL::Test::Utils;
use Test::More;
use TicketingNode;

my $node = ticketing_node('feed', conf => <<'EOF');
fsync = on
wal_writer_delay = '10s'
EOF
$node->start;
$node->safe_psql('postgres', q{
	CREATE EXTENSION ticketing;
	SELECT ticketing.create_event('feed durability', event_id => 1);
	SELECT ticketing.add_tickets(1, 10);
	CHECKPOINT;
});

# 1. Handed out only once durable.
$node->safe_psql('postgres', q{
	SET synchronous_commit = off;
	SELECT outcome FROM ticketing.claim_ticket(1, 1, 'alice');
});
my $handed = $node->safe_psql('postgres',
	q{SELECT audit_id || ' ' || ticket_id || ' ' || status FROM ticketing.changes_since(1, 0)});
is($handed, '1 1 sold', 'the reader is handed the asynchronous sale');
$node->stop('immediate');
$node->start;
is($node->safe_psql('postgres',
		q{SELECT status || ' ' || owner FROM ticketing.tickets WHERE event_id = 1 AND ticket_id = 1}),
	'sold alice', 'the sale the reader was handed survives an immediate stop');
$node->safe_psql('postgres', q{SELECT outcome FROM ticketing.claim_ticket(1, 2, 'bob')});
# (A sequence skips ahead after a crash: the id is higher, never the one handed out.)
is($node->safe_psql('postgres',
		q{SELECT string_agg(ticket_id || ' ' || status, ', ' ORDER BY audit_id) FROM ticketing.changes_since(1, 1)}),
	'2 sold', 'a reader past the first sale gets the next one');

$node->stop;
done_testing();
