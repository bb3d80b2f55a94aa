# Kill the primary mid-sale: a pg_auto_failover formation (monitor, node_a primary,
# node_b synchronous secondary); CLIENTS (32) clients of the ledger load
# (test/reliability/lib/TicketingLoad.pm: claim_ticket, claim_any, claim_tickets,
# claim_batch, holds, releases) sell through a multi-host connection string with
# target_session_attrs=read-write. FAILOVERS (2) times, every process of the primary
# (its pg_autoctl, the postmaster, the backends) is killed with SIGKILL mid-sale; the
# monitor promotes the secondary, the clients reconnect and repeat the call in hand with
# the same idempotency key, the killed node is started again and rejoins as the
# secondary (pg_rewind), and the next kill fails back. Before every second kill the
# standby's replies are cut for half a second, so that commits the standby has but the
# primary never acknowledged are in flight when it dies: their repeats must be answered
# from their keys.
# Then, on the last primary: every acknowledged change is there, nothing else is,
# nothing is sold twice, verify() and amcheck are clean, and the standby has the same rows.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Temp ();
use Test::More;
use Time::HiRes qw(time sleep);
use TicketingHA;
use TicketingLoad;
use FailoverChecks;

my $clients = $ENV{CLIENTS} // 32;
my $failovers = $ENV{FAILOVERS} // 2;
# The load runs until 5 s after the last failover (at most FAILOVER_SECONDS, 600).
my $seconds = $ENV{FAILOVER_SECONDS} // 600;
my $seed = $ENV{LEDGER_SEED} // int(rand(1_000_000));
note "seed $seed (LEDGER_SEED=$seed repeats the clients' choices)";

my $dir = $ENV{TESTDIR} // File::Temp::tempdir(CLEANUP => 1);
my $ha = TicketingHA->new(dir => $dir);
$ha->start_formation;
my $sync = $ha->node('a')->safe_psql('postgres', 'SHOW synchronous_standby_names');
if (($ENV{FAILOVER_SYNC} // 'on') eq 'off')
{
	# Negative control: the standby leaves the replication quorum, commits stop waiting
	# for it, and the ledger checks must find acknowledged sales missing.
	$sync = $ha->make_standby_asynchronous;
	note "FAILOVER_SYNC=off: synchronous_standby_names = '$sync' (asynchronous)";
}
else
{
	like($sync, qr/pgautofailover_standby_2/, "node_a waits for its standby at commit ($sync)");
}

my $primary = $ha->node('a');
$primary->safe_psql('postgres', 'CREATE DATABASE shop');
$primary->safe_psql('shop', 'CREATE EXTENSION amcheck');
TicketingLoad::setup_inventory($primary, 'shop');

my $start = time();
my $stop_file = "$dir/stop";
my @pids = TicketingLoad::start_clients(
	dsn => $ha->dsn('shop'), clients => $clients, seconds => $seconds, dir => $dir, seed => $seed,
	grace => 120, stop_file => $stop_file);

my @kills;
my ($up, $down) = ('a', 'b');
($up, $down) = ('b', 'a');    # swapped at the top of the loop
my $next = $start + 6;
for my $k (1 .. $failovers)
{
	($up, $down) = ($down, $up);    # $up is the primary now
	my $wait = $next - time();
	sleep($wait) if $wait > 0;
	if ($k % 2 == 0)
	{
		# The standby's replies (and nothing else) vanish: commits wait on the primary
		# although the standby has flushed them.
		$ha->cut("$down->$up");
		sleep(0.5);
	}
	my $waiting = $ha->node($up)->safe_psql('postgres',
		q{SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'});
	my ($at, $killed) = $ha->node($up)->kill_all;
	$ha->heal;
	push @kills, { at => $at, node => $up };
	note sprintf('failover %d: killed node_%s (%d processes) at +%.1f s with %d commits waiting for the standby',
		$k, $up, $killed, $at - $start, $waiting);

	my $promoted = $ha->wait_writable($down);
	ok($promoted, sprintf('failover %d: node_%s accepts writes %.1f s after the kill of node_%s',
		$k, $down, ($promoted // time()) - $at, $up));
	$ha->node($up)->start;
	ok($ha->wait_states(120, $down => 'primary', $up => 'secondary'),
		"failover $k: node_$up rejoined as the secondary (" . $ha->states_text . ')');
	$next = time() + 3;
}
my $after_last = time();
sleep(5);
open my $stop, '>', $stop_file or die "$stop_file: $!";
close $stop;

my $summary = TicketingLoad::wait_clients($dir, @pids);
my $elapsed = time() - $start;
ok(($summary->{reconnects} // 0) >= $clients, "clients reconnected ($summary->{reconnects} times)");

my $fig = FailoverChecks::check_after_load(
	ha => $ha, summary => $summary, kills => \@kills, dir => $dir, clients => $clients,
	primary => $down, secondary => $up, expect_from_key => $failovers >= 2);
my $sold_after = $ha->node($down)->safe_psql('shop',
	"SELECT count(*) FROM ledger WHERE to_status = 'sold' AND acked_at > $after_last");
ok($sold_after > 0, "sales went on once the formation was whole again ($sold_after)");

my $errors = join(', ', map { "$_ $summary->{errors}{$_}" } sort keys %{ $summary->{errors} });
diag(sprintf(
	'failover: %d clients, %.0f s, %d failovers, %d calls, %d acknowledged (%d changes, %d sales), '
	  . '%d reconnects, %d commits in doubt, %d calls refused by a read-only node (25006) and repeated, '
	  . '%d repeats, keyed repeats: %d changes answered from their '
	  . 'keys, %d ran again; seconds without a primary: %s; errors: %s; amcheck %d relations',
	$clients, $elapsed, $failovers, $summary->{calls}, $summary->{acked_calls}, $fig->{changes},
	$fig->{sales}, $summary->{reconnects} // 0, $summary->{in_doubt} // 0, $summary->{read_only} // 0,
	$summary->{retries} // 0,
	$fig->{from_key}, $fig->{ran_again}, join(' ', @{ $fig->{gaps} }), $errors || 'none', $fig->{amcheck}));

done_testing();
