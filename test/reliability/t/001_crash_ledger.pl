# Crash ledger: CLIENTS (32) clients drive every kind of claim, hold and release for
# LEDGER_SECONDS (45) while backends are killed with SIGKILL (KILLS times, 3; each
# makes the postmaster restart every backend and recover) and the server is stopped
# once with pg_ctl stop -m immediate and started again. Afterwards every change a
# client saw committed is in the database with its owner and audit row, nothing else
# is, nothing is sold twice, verify() is empty, no lock or prepared transaction is
# left and amcheck finds nothing.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use TicketingNode;
use TicketingLoad;
use TicketingLedger;

my $clients = $ENV{CLIENTS} // 32;
my $seconds = $ENV{LEDGER_SECONDS} // 45;
my $kills = $ENV{KILLS} // 3;
my $seed = $ENV{LEDGER_SEED} // int(rand(1_000_000));
note "seed $seed (LEDGER_SEED=$seed repeats the clients' choices)";

# fsync on: the test is about what survives. (Process crashes do not need it, but an
# acknowledged commit should mean what it means in production.) The negative control:
# LEDGER_SYNCHRONOUS_COMMIT=off acknowledges commits before their WAL is written, and
# the test must then find acknowledged sales missing after the crashes.
my $sync = $ENV{LEDGER_SYNCHRONOUS_COMMIT} // 'on';
my $node = ticketing_node('crash', conf => "fsync = on\nsynchronous_commit = $sync\n"
	  . ($sync eq 'on' ? '' : "wal_writer_delay = '2s'\n"));
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE shop');
$node->safe_psql('shop', 'CREATE EXTENSION amcheck');
TicketingLoad::setup_inventory($node, 'shop');

my $dir = PostgreSQL::Test::Utils::tempdir('ledger');
my $dsn = 'dbi:Pg:dbname=shop;host=' . $node->host . ';port=' . $node->port;
my $start = time();
my @pids = TicketingLoad::start_clients(
	dsn => $dsn, clients => $clients, seconds => $seconds, dir => $dir, seed => $seed);

sub wait_until { my ($t) = @_; my $left = $start + $t - time(); sleep($left) if $left > 0; }

# Waits until the server accepts connections again and has finished recovery.
sub wait_recovered
{
	my ($what) = @_;
	ok($node->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()'),
		"server back after $what");
}

# The kills spread over the first 60% of the load, the immediate stop at 75%.
my @restarts;
for my $k (1 .. $kills)
{
	wait_until($seconds * 0.6 * $k / ($kills + 1));
	my $pid = $node->safe_psql('postgres', q{
		SELECT pid FROM pg_stat_activity WHERE application_name LIKE 'ledger-%'
		 ORDER BY state = 'active' DESC, random() LIMIT 1});
	my $offset = -s $node->logfile;
	ok($pid =~ /^\d+$/ && kill('KILL', $pid), "kill -9 of backend $pid ($k of $kills)");
	$node->wait_for_log(qr/all server processes terminated; reinitializing/, $offset);
	wait_recovered("kill $k");
	push @restarts, time();
}
wait_until($seconds * 0.75);
$node->stop('immediate');
$node->start;
wait_recovered('pg_ctl stop -m immediate');
push @restarts, time();

my $summary = TicketingLoad::wait_clients($dir, @pids);
my $elapsed = time() - $start;
is($summary->{failed_clients}, 0, "all $clients clients finished");
is($summary->{unresolved} // 0, 0, 'every call whose connection was lost was answered on a repeat');
my @surprises = @{ $summary->{surprises} };
is(join("\n", @surprises[0 .. ($#surprises < 19 ? $#surprises : 19)]), '',
	'no client got an answer it could not explain (' . scalar(@surprises) . ')');

my $log = slurp_file($node->logfile);
my $signalled = () = $log =~ /was terminated by signal 9/g;
is($signalled, $kills, "the server log shows the $kills kills");
ok($summary->{reconnects} >= $clients, "clients reconnected after the crashes ($summary->{reconnects} times)");

my $rows = TicketingLedger::load_ledger($node, 'shop', TicketingLoad::merge_ledgers($dir, $clients));
my $after_last = $node->safe_psql('shop',
	"SELECT count(*) FROM ledger WHERE acked_at > $restarts[-1] AND to_status = 'sold'");
ok($after_last > 0, "sales went on after the last restart ($after_last)");
ok($summary->{sales} > 500, "enough acknowledged sales to mean something ($summary->{sales})");

my $fig = TicketingLedger::check_ledger($node, 'shop', 'after the crashes');

my @locks = leftover_locks($node, 'shop');
is(join("\n", @locks), '', 'no lock, row lock or prepared transaction left');

my ($checked, @problems) = amcheck_problems($node, 'shop');
is(join("\n", @problems), '', "amcheck clean on $checked indexes and tables");

my $errors = join(', ', map { "$_ $summary->{errors}{$_}" } sort keys %{ $summary->{errors} });
diag(sprintf(
	'crash ledger: %d clients, %.0f s, %d calls, %d acknowledged (%d changes, %d sales), '
	  . '%d kill -9 + 1 immediate stop survived, %d reconnects, %d commits in doubt resolved by repeating '
	  . 'the call, %d retries, errors: %s; %d audit rows, %d tickets owned at the end, amcheck %d relations',
	$clients, $elapsed, $summary->{calls}, $summary->{acked_calls}, $fig->{changes}, $fig->{sales},
	$kills, $summary->{reconnects}, $summary->{in_doubt} // 0, $summary->{retries} // 0,
	$errors || 'none', $fig->{audit_rows}, $fig->{owned}, $checked));

$node->stop;
done_testing();
