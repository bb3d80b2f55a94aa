# What the failover tests check once the load is over, on whichever node is primary by
# then: the clients' ledger against the database (TicketingLedger), the repeats of calls
# whose answer was lost (answered from their idempotency key when the first attempt had
# committed), the standby's copy, amcheck on both nodes, no lock left; and the figures.
package FailoverChecks;

use strict;
use warnings;
use Test::More;
use TicketingLoad;
use TicketingLedger;
use TicketingNode qw(amcheck_problems leftover_locks tables_checksum);

# $kills: [ { at => time of the kill, node => name }, ... ] in order.
# Returns a hash of figures.
sub check_after_load
{
	my (%o) = @_;
	my ($ha, $summary, $kills) = @o{qw(ha summary kills)};
	my %fig;

	is($summary->{failed_clients}, 0, "all $o{clients} clients finished");
	is($summary->{unresolved} // 0, 0, 'every call whose connection was lost was answered on a repeat');
	my @surprises = @{ $summary->{surprises} };
	is(join("\n", @surprises[0 .. ($#surprises < 19 ? $#surprises : 19)]), '',
		'no client got an answer it could not explain (' . scalar(@surprises) . ')');

	# Both nodes back: one primary, one secondary (the monitor's view), and the primary
	# is the node that accepts writes.
	my $settled = $ha->wait_states(90, $o{primary} => 'primary', $o{secondary} => 'secondary');
	ok($settled, "formation settled: node_$o{primary} primary, node_$o{secondary} secondary ("
		  . $ha->states_text . ')');
	my $primary = $ha->node($o{primary});
	my $standby = $ha->node($o{secondary});

	TicketingLedger::load_ledger($primary, 'shop', TicketingLoad::merge_ledgers($o{dir}, $o{clients}));
	$primary->safe_psql('shop', 'DROP TABLE IF EXISTS failovers; CREATE TABLE failovers (no int, node text, killed_at double precision);'
		  . join('', map { "INSERT INTO failovers VALUES ($_, '$kills->[$_ - 1]{node}', $kills->[$_ - 1]{at});" } 1 .. @$kills));

	my $ledger = TicketingLedger::check_ledger($primary, 'shop', "on node_$o{primary} after the failovers");
	%fig = (%fig, %$ledger);

	# Seconds without a primary: from each kill to the first acknowledged sale whose
	# transaction began more than 0.5 s after it, when every process of the old primary
	# is gone (the kill reaches its 40-odd processes one after the other, and one of them
	# may still begin and commit a sale in those milliseconds).
	# For each such sale (audit_log.at is its transaction's start),
	# its acknowledgement is the first ledger line of the same ticket, customer and change
	# at or after that start (one ticket cannot be sold to one customer twice at once).
	my @gaps = split /\n/, $primary->safe_psql('shop', q{
		SELECT f.no, round((min(ack.acked_at) - f.killed_at)::numeric, 2)
		  FROM failovers f
		  JOIN ticketing.audit_log a
		    ON a.to_status = 'sold' AND a.at > pg_catalog.to_timestamp(f.killed_at + 0.5)
		   AND a.at < pg_catalog.to_timestamp(f.killed_at) + interval '120 s'
		  CROSS JOIN LATERAL (SELECT min(l.acked_at) AS acked_at FROM ledger l
		                       WHERE (l.event_id, l.ticket_id, l.customer, l.to_status)
		                             = (a.event_id, a.ticket_id, a.customer, a.to_status)
		                         AND l.acked_at >= extract(epoch FROM a.at)) ack
		 GROUP BY f.no, f.killed_at ORDER BY f.no});
	$fig{gaps} = [ map { (split /\|/)[1] } @gaps ];
	ok(@{ $fig{gaps} } == @$kills && !grep({ $_ eq '' } @{ $fig{gaps} }), 'sales were acknowledged after every failover ('
		  . join(', ', map { "$_ s" } @{ $fig{gaps} }) . ' without a primary)');

	# Repeats of keyed calls after a lost connection: each change they report has its key
	# on the new primary; the key was written before the kill (the first attempt had
	# committed and the repeat was answered from its key) or after it (it had not, and
	# ran again).
	my ($keyed, $without_key_row, $from_key, $ran_again) = split /\|/, $primary->safe_psql('shop', q{
		SELECT count(*), count(*) FILTER (WHERE k.created_at IS NULL),
		       count(*) FILTER (WHERE k.created_at < to_timestamp(f.killed_at)),
		       count(*) FILTER (WHERE k.created_at >= to_timestamp(f.killed_at))
		  FROM ledger l
		  LEFT JOIN ticketing.idempotency_keys k
		    ON k.event_id = l.event_id AND k.customer = l.customer AND k.idempotency_key = l.idempotency_key
		  LEFT JOIN LATERAL (SELECT max(killed_at) AS killed_at FROM failovers
		                      WHERE killed_at < l.acked_at) f ON true
		 WHERE l.retried AND l.idempotency_key IS NOT NULL});
	is($without_key_row, 0, "every change of a repeated keyed call ($keyed) has its key on node_$o{primary}");
	@fig{qw(retried_keyed from_key ran_again)} = ($keyed, $from_key, $ran_again);
	if ($o{expect_from_key})
	{
		ok($from_key > 0, "repeats answered from their keys: $from_key changes whose first attempt "
			  . "committed before the kill (and $ran_again that ran again)");
	}

	my @locks = leftover_locks($primary, 'shop');
	is(join("\n", @locks), '', 'no lock, row lock or prepared transaction left');

	my ($checked, @problems) = amcheck_problems($primary, 'shop');
	is(join("\n", @problems), '', "amcheck clean on node_$o{primary} ($checked indexes and tables)");
	$fig{amcheck} = $checked;

	# The standby holds the same rows once it has replayed everything.
	my $lsn = $primary->safe_psql('shop', 'SELECT pg_current_wal_lsn()');
	my $caught_up = 0;
	for (1 .. 300)
	{
		my ($rc, $out) = $standby->psql('shop', "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn", timeout => 5);
		if ($rc == 0 && $out eq 't') { $caught_up = 1; last }
		Time::HiRes::sleep(0.2);
	}
	ok($caught_up && tables_checksum($standby, 'shop') eq tables_checksum($primary, 'shop'),
		"node_$o{secondary} (standby) has the same rows in the five tables");
	my ($checked_standby, @standby_problems) = amcheck_problems($standby, 'shop');
	is(join("\n", @standby_problems), '', "amcheck clean on node_$o{secondary} ($checked_standby indexes and tables)");
	return \%fig;
}

1;
