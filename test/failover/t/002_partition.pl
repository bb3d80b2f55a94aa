# The primary cut off from its synchronous standby: CLIENTS (32) ledger clients sell
# through node_a while the link between node_a and node_b is cut (both still reach the
# monitor and the clients). Sales must block (their commits wait for the standby) and
# none may be acknowledged. Then node_a dies (every process, SIGKILL) while the link is
# still cut; the monitor promotes node_b, which never saw the blocked commits; the
# clients repeat their calls there (with the same keys) and go on. The link comes back,
# node_a rejoins as the secondary (pg_rewind drops what only it had), and the checks of
# 001 run on node_b: every acknowledged sale is there, nothing else, nothing twice.
# FAILOVER_SYNC=off (the standby asynchronous) is the negative control: sales are then
# acknowledged during the cut and lost with node_a, and the checks must fail.
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
my $seconds = $ENV{FAILOVER_SECONDS} // 30;
my $sync_on = ($ENV{FAILOVER_SYNC} // 'on') ne 'off';
my $seed = $ENV{LEDGER_SEED} // int(rand(1_000_000));
note "seed $seed (LEDGER_SEED=$seed repeats the clients' choices)";

my $dir = $ENV{TESTDIR} // File::Temp::tempdir(CLEANUP => 1);
my $ha = TicketingHA->new(dir => $dir);
my ($na, $nb) = $ha->start_formation;
if (!$sync_on)
{
	$ha->make_standby_asynchronous;
	note 'FAILOVER_SYNC=off: node_b is an asynchronous standby';
}
my $sync = $na->safe_psql('postgres', 'SHOW synchronous_standby_names');
note "node_a: synchronous_standby_names = '$sync'";

$na->safe_psql('postgres', 'CREATE DATABASE shop');
$na->safe_psql('shop', 'CREATE EXTENSION amcheck');
TicketingLoad::setup_inventory($na, 'shop');

my $start = time();
my @pids = TicketingLoad::start_clients(
	dsn => $ha->dsn('shop'), clients => $clients, seconds => $seconds, dir => $dir, seed => $seed,
	grace => 120);

sleep(6);
$ha->cut('both');
my $cut_at = time();
note sprintf('cut node_a <-> node_b at +%.1f s', $cut_at - $start);

# While the link is down: sales pile up waiting for the standby, the monitor keeps
# node_a primary (it still reaches both nodes), and no sale is acknowledged.
sleep(5);
my $waiting = $na->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'});
my $states = $ha->states_text;
if ($sync_on)
{
	ok($waiting > 0, "with the link cut, $waiting sales wait at commit for the standby on node_a");
}
note "monitor during the cut: $states";

my ($killed_at, $killed) = $na->kill_all;
note sprintf('killed node_a (%d processes) at +%.1f s, %.1f s into the cut', $killed, $killed_at - $start,
	$killed_at - $cut_at);
my $promoted = $ha->wait_writable('b');
ok($promoted, sprintf('node_b accepts writes %.1f s after the kill of node_a', ($promoted // time()) - $killed_at));

$ha->heal;
$na->start;
ok($ha->wait_states(120, b => 'primary', a => 'secondary'),
	'node_a rejoined as the secondary once the link was back (' . $ha->states_text . ')');

my $summary = TicketingLoad::wait_clients($dir, @pids);
my $elapsed = time() - $start;

my $fig = FailoverChecks::check_after_load(
	ha => $ha, summary => $summary, kills => [ { at => $killed_at, node => 'a' } ], dir => $dir,
	clients => $clients, primary => 'b', secondary => 'a', expect_from_key => 0);

# Nothing acknowledged between the cut (give the packets in flight 0.5 s) and the kill.
my $acked_in_cut = $nb->safe_psql('shop', sprintf(
	'SELECT count(*) FROM ledger WHERE acked_at > %.6f AND acked_at < %.6f', $cut_at + 0.5, $killed_at));
is($acked_in_cut, 0, 'no change was acknowledged while node_a could not reach its standby');

my $errors = join(', ', map { "$_ $summary->{errors}{$_}" } sort keys %{ $summary->{errors} });
diag(sprintf(
	'partition: %d clients, %.0f s, %d calls, %d acknowledged (%d changes, %d sales), %d waiting at commit '
	  . 'during the cut, %d acknowledged during the cut, %d reconnects, %d commits in doubt, %d repeats '
	  . '(keyed: %d answered from their keys, %d ran again); %s s without a primary; errors: %s',
	$clients, $elapsed, $summary->{calls}, $summary->{acked_calls}, $fig->{changes}, $fig->{sales}, $waiting,
	$acked_in_cut, $summary->{reconnects} // 0, $summary->{in_doubt} // 0, $summary->{retries} // 0,
	$fig->{from_key}, $fig->{ran_again}, $fig->{gaps}[0], $errors || 'none'));

done_testing();
