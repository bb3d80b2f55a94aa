# Replica: a streaming standby replays the ledger load (CLIENTS clients for
# REPLICA_SECONDS, 20). Its tables compare equal to the primary's row by row, amcheck is
# clean there, every writing call on it fails with 25006 while the read-only ones
# (event_summary, verify, cart_contents, waitlist_position) answer, and a logical
# decoding slot (test_decoding) on the primary shows each sale as an UPDATE of
# ticketing.tickets to status 'sold' with its buyer.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use TicketingNode;
use TicketingLoad;
use TicketingLedger;

my $clients = $ENV{CLIENTS} // 32;
my $seconds = $ENV{REPLICA_SECONDS} // 20;
my $seed = $ENV{LEDGER_SEED} // int(rand(1_000_000));
note "seed $seed";

my $primary = ticketing_node('primary', allows_streaming => 'logical');
$primary->start;
$primary->safe_psql('postgres', 'CREATE DATABASE shop');
$primary->safe_psql('shop', 'CREATE EXTENSION amcheck');
TicketingLoad::setup_inventory($primary, 'shop');
# The slot starts after the inventory was loaded: what it decodes is the load.
$primary->safe_psql('shop',
	q{SELECT pg_create_logical_replication_slot('ledger_decoding', 'test_decoding')});

$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->start;

my $dir = PostgreSQL::Test::Utils::tempdir('ledger');
my $dsn = 'dbi:Pg:dbname=shop;host=' . $primary->host . ';port=' . $primary->port;
my @pids = TicketingLoad::start_clients(
	dsn => $dsn, clients => $clients, seconds => $seconds, dir => $dir, seed => $seed);
my $summary = TicketingLoad::wait_clients($dir, @pids);
is($summary->{failed_clients}, 0, "all $clients clients finished");
is(join("\n", @{ $summary->{surprises} }), '', 'no client got an answer it could not explain');
TicketingLedger::load_ledger($primary, 'shop', TicketingLoad::merge_ledgers($dir, $clients));
my $fig = TicketingLedger::check_ledger($primary, 'shop', 'primary');

# A cart opened on the primary, read on the standby below.
my $token = $primary->safe_psql('shop', q{SELECT token FROM ticketing.open_cart(1, 'standby-reader')});
$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));

# The standby's tables, row by row (the ledger tables only exist on the primary's side
# of this comparison after the catch-up, so they are not compared).
my %order = (
	events           => 'event_id',
	tickets          => 'event_id, ticket_id',
	audit_log        => 'audit_id',
	idempotency_keys => 'customer, idempotency_key',
	customer_slots   => 'event_id, customer');
my $compared = 0;
for my $table (sort keys %order)
{
	my $query = "SELECT x::text FROM ticketing.$table x ORDER BY $order{$table}";
	my $on_primary = table_text($primary, 'shop', $query);
	my $on_standby = table_text($standby, 'shop', $query);
	my $rows = () = $on_primary =~ /\n/g;
	$rows++ if $on_primary ne '';
	ok($rows > 0 && $on_standby eq $on_primary, "standby: $table equal to the primary's ($rows rows)");
	$compared += $rows;
}

my ($checked, @problems) = amcheck_problems($standby, 'shop');
is(join("\n", @problems), '', "standby: amcheck clean on $checked indexes and tables");

# Every call that writes fails with PostgreSQL's own 25006 on the standby, including a
# claim of a ticket that is already sold (whose answer would need no write).
my @writes = (
	q{SELECT ticketing.claim_ticket(1, 1, 'standby-buyer')},
	q{SELECT ticketing.claim_ticket(1, 1, 'standby-buyer', 'nowait', 'standby-key')},
	q{SELECT ticketing.claim_ticket(1, 1, 'standby-buyer', 'skip')},
	q{SELECT ticketing.release_ticket(1, 1, 'cust-01')},
	q{SELECT ticketing.hold_ticket(3, 1, 'standby-buyer')},
	q{SELECT ticketing.confirm_hold(3, 1, 'standby-buyer')},
	q{SELECT ticketing.release_hold(3, 1, 'standby-buyer')},
	q{SELECT ticketing.claim_tickets(1, ARRAY[1, 2], 'standby-buyer')},
	q{SELECT ticketing.claim_any(1, 'standby-buyer')},
	q{SELECT ticketing.claim_any(2, 'standby-buyer', 2, adjacent => true)},
	q{SELECT ticketing.claim_any(3, 'standby-buyer', hold_for => interval '5 minutes')},
	q{SELECT * FROM ticketing.claim_batch(1, ARRAY[ROW(5, 'standby-buyer', NULL), ROW(NULL, 'standby-buyer', 'k')]::ticketing.claim_request[])},
	q{SELECT ticketing.create_event('on the standby')},
	q{SELECT ticketing.add_tickets(1, 10)},
	q{SELECT ticketing.add_tickets(1, ARRAY['X-1'])},
	q{SELECT ticketing.expire_holds()},
	q{SELECT ticketing.purge_idempotency_keys()});
my @wrong;
for my $sql (@writes)
{
	my ($state, $err) = sqlstate_of($standby, 'shop', $sql);
	push @wrong, "$sql: $state $err" if $state ne '25006';
}
is(join("\n", @wrong), '', 'standby: ' . scalar(@writes) . ' writing calls fail with 25006');
is($standby->safe_psql('shop', 'SELECT total FROM ticketing.event_summary(1)'), '4000',
	'standby: event_summary answers');
is($standby->safe_psql('shop', 'SELECT * FROM ticketing.verify()'), '', 'standby: verify() is empty');
# The calls that only read answer there too (they raised 25006 on e8a6832).
is($standby->safe_psql('shop',
		"SELECT outcome || ' ' || cardinality(ticket_ids) FROM ticketing.cart_contents(1, '$token', 'standby-reader')"),
	'opened 0', 'standby: cart_contents answers');
is($standby->safe_psql('shop', q{SELECT outcome FROM ticketing.waitlist_position(1, 'standby-reader')}),
	'not_waiting', 'standby: waitlist_position answers');

# Logical decoding of the load: each sale is an UPDATE of ticketing.tickets to 'sold'
# with its buyer; compared with the audit log's sales as multisets.
my ($decoded_sales, $audit_sales, $missing, $extra, $audit_inserts, $audit_rows) =
  split /\|/, $primary->safe_psql('shop', q{
	CREATE TEMP TABLE decoded AS
	SELECT data FROM pg_logical_slot_peek_changes('ledger_decoding', NULL, NULL);
	CREATE TEMP TABLE decoded_sales AS
	SELECT substring(data from 'event_id\[bigint\]:(\d+)')::bigint AS event_id,
	       substring(data from 'ticket_id\[bigint\]:(\d+)')::bigint AS ticket_id,
	       substring(data from 'owner\[text\]:''([^'']*)''') AS customer
	  FROM decoded
	 WHERE data LIKE 'table ticketing.tickets: UPDATE: %'
	   AND data LIKE '% status[text]:''sold'' %';
	CREATE TEMP TABLE audit_sales AS
	SELECT event_id, ticket_id, customer FROM ticketing.audit_log WHERE to_status = 'sold';
	SELECT (SELECT count(*) FROM decoded_sales),
	       (SELECT count(*) FROM audit_sales),
	       (SELECT count(*) FROM (SELECT * FROM audit_sales EXCEPT ALL SELECT * FROM decoded_sales) m),
	       (SELECT count(*) FROM (SELECT * FROM decoded_sales EXCEPT ALL SELECT * FROM audit_sales) e),
	       (SELECT count(*) FROM decoded WHERE data LIKE 'table ticketing.audit_log: INSERT: %'),
	       (SELECT count(*) FROM ticketing.audit_log);
});
ok($decoded_sales > 0 && $missing == 0 && $extra == 0,
	"logical decoding: each of the $audit_sales sales is one UPDATE of ticketing.tickets "
	  . "to 'sold' for its buyer ($decoded_sales decoded, $missing missing, $extra extra)");
is($audit_inserts, $audit_rows, "logical decoding: one INSERT per audit row ($audit_rows)");

diag(sprintf(
	'replica: %d clients, %d s, %d calls, %d acknowledged (%d sales); standby: %d rows compared '
	  . 'in 5 tables, amcheck %d relations, %d writing calls refused with 25006; '
	  . 'logical decoding: %d sales = %d UPDATEs to sold, %d audit INSERTs',
	$clients, $seconds, $summary->{calls}, $summary->{acked_calls}, $fig->{sales}, $compared,
	$checked, scalar(@writes), $audit_sales, $decoded_sales, $audit_inserts));

$standby->stop;
$primary->stop;
done_testing();
