# Checks the clients' ledger (TicketingLoad) against the database, row by row: every
# acknowledged change has its audit row and nothing else does; every ticket is in the
# state, with the owner, that the ledger says; no ticket is owned by two customers.
package TicketingLedger;

use strict;
use warnings;
use Exporter 'import';
use Test::More;

our @EXPORT = qw(load_ledger check_ledger);

sub load_ledger
{
	my ($node, $db, $file) = @_;
	$node->safe_psql($db, qq{
		DROP TABLE IF EXISTS ledger;
		CREATE TABLE ledger (client int, seq int, event_id bigint, ticket_id bigint,
		                     from_status text, to_status text, customer text, call text,
		                     acked_at double precision, retried boolean,
		                     idempotency_key text);
		COPY ledger FROM '$file';
		ANALYZE ledger;
	});
	return $node->safe_psql($db, 'SELECT count(*) FROM ledger');
}

# Runs the comparisons as tests; returns a hash of figures for the report.
sub check_ledger
{
	my ($node, $db, $label) = @_;
	my %fig;
	$fig{changes} = $node->safe_psql($db, 'SELECT count(*) FROM ledger');
	$fig{sales} = $node->safe_psql($db, "SELECT count(*) FROM ledger WHERE to_status = 'sold'");
	$fig{audit_rows} = $node->safe_psql($db, 'SELECT count(*) FROM ticketing.audit_log');

	my $missing = $node->safe_psql($db, q{
		SELECT event_id, ticket_id, from_status, to_status, customer FROM ledger
		EXCEPT ALL
		SELECT event_id, ticket_id, from_status, to_status, customer FROM ticketing.audit_log
		ORDER BY 1, 2 LIMIT 20});
	is($missing, '', "$label: every acknowledged change ($fig{changes}, $fig{sales} sales) has its audit row");

	my $unacked = $node->safe_psql($db, q{
		SELECT event_id, ticket_id, from_status, to_status, customer FROM ticketing.audit_log
		EXCEPT ALL
		SELECT event_id, ticket_id, from_status, to_status, customer FROM ledger
		ORDER BY 1, 2 LIMIT 20});
	is($unacked, '', "$label: no audit row that no client was told about");

	# What each customer's last acknowledged change left it with, per ticket.
	$node->safe_psql($db, q{
		DROP TABLE IF EXISTS ledger_owned;
		CREATE TABLE ledger_owned AS
		SELECT * FROM (SELECT DISTINCT ON (event_id, ticket_id, customer)
		                      event_id, ticket_id, customer, to_status
		                 FROM ledger ORDER BY event_id, ticket_id, customer, seq DESC) last
		 WHERE to_status <> 'available';
	});
	my $twice = $node->safe_psql($db, q{
		SELECT event_id, ticket_id, string_agg(customer, ',')
		  FROM ledger_owned GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 1, 2 LIMIT 20});
	is($twice, '', "$label: by the ledger, no ticket belongs to two customers");

	my $wrong = $node->safe_psql($db, q{
		SELECT t.event_id, t.ticket_id, t.status, t.owner, o.to_status, o.customer
		  FROM ticketing.tickets t
		  LEFT JOIN ledger_owned o USING (event_id, ticket_id)
		 WHERE t.status IS DISTINCT FROM coalesce(o.to_status, 'available')
		    OR t.owner IS DISTINCT FROM o.customer
		 ORDER BY 1, 2 LIMIT 20});
	$fig{owned} = $node->safe_psql($db, 'SELECT count(*) FROM ledger_owned');
	is($wrong, '', "$label: every ticket has the status and owner the ledger says ($fig{owned} owned)");

	is($node->safe_psql($db, 'SELECT * FROM ticketing.verify()'), '', "$label: verify() is empty");
	return \%fig;
}

1;
