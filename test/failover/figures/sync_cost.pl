# What the synchronous standby costs a sale: pgbench sells through claim_any on the
# primary of a pg_auto_failover formation, with node_b in the replication quorum
# (synchronous_standby_names = 'ANY 1 (...)', synchronous_commit = on: each commit
# waits until the standby has flushed it) and out of it (replication-quorum false:
# synchronous_standby_names = '', commits do not wait). The two settings alternate,
# ROUNDS (3) times each (medians reported), at 1 and CLIENTS_HIGH (16) clients for BENCH_SECONDS (15).
# Figures, not assertions: the lines starting with "FIGURE" are the report.
# Run: test/failover/figures.sh (or run_failover.sh figures/sync_cost.pl).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Temp ();
use IPC::Run ();
use Test::More;
use Time::HiRes qw(time sleep);
use TicketingHA;

my $seconds = $ENV{BENCH_SECONDS} // 15;
my $rounds = $ENV{ROUNDS} // 3;
my $high = $ENV{CLIENTS_HIGH} // 16;

my $dir = $ENV{TESTDIR} // File::Temp::tempdir(CLEANUP => 1);
my $ha = TicketingHA->new(dir => $dir);
my ($na, $nb) = $ha->start_formation;

# Enough tickets that no run sells out: 1 client sells about 1,000/s here.
my $tickets = 100_000 * $rounds * 4;
$na->safe_psql('postgres', 'CREATE DATABASE shop');
$na->safe_psql('shop', "CREATE EXTENSION ticketing;
	SELECT ticketing.create_event('bench', event_id => 1);
	SELECT ticketing.add_tickets(1, $tickets);");
my $script = "$dir/claim_any.sql";
open my $fh, '>', $script or die $!;
print $fh "SELECT outcome FROM ticketing.claim_any(1, 'c' || :client_id::text);\n";
close $fh;

sub quorum
{
	my ($on) = @_;
	$nb->autoctl_ok('set', 'node', 'replication-quorum', $on ? 'true' : 'false');
	my $want = $on ? qr/pgautofailover_standby_2/ : qr/^$/;
	for (1 .. 150)
	{
		my $s = $na->safe_psql('postgres', 'SHOW synchronous_standby_names');
		return $s if $s =~ $want;
		sleep(0.2);
	}
	die 'synchronous_standby_names did not change';
}

sub pgbench
{
	my ($clients) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'pgbench', '-n', '-M', 'prepared', '-f', $script, '-c', $clients,
			'-j', ($clients > 1 ? 2 : 1), '-T', $seconds, '-h', $na->host, '-p', $na->port,
			'-U', 'postgres', 'shop' ], '>', \$out, '2>', \$err)
	  or die "pgbench: $err";
	my ($tps) = $out =~ /tps = ([\d.]+)/;
	my ($lat) = $out =~ /latency average = ([\d.]+) ms/;
	return ($tps, $lat);
}

my %runs;
for my $round (1 .. $rounds)
{
	for my $mode ('sync', 'async')
	{
		my $names = quorum($mode eq 'sync');
		for my $clients (1, $high)
		{
			my ($tps, $lat) = pgbench($clients);
			push @{ $runs{$mode}{$clients} }, [ $tps, $lat ];
			diag(sprintf('round %d, %s (synchronous_standby_names = %s), %d clients: %.0f claims/s, %.2f ms',
				$round, $mode, $names eq '' ? "''" : "'$names'", $clients, $tps, $lat));
		}
	}
}
my $sold = $na->safe_psql('shop', q{SELECT count(*) FROM ticketing.tickets WHERE status = 'sold'});
ok($sold > 0 && $sold < $tickets, "the runs sold $sold of $tickets tickets (never sold out)");
is($na->safe_psql('shop', 'SELECT * FROM ticketing.verify()'), '', 'verify() is empty');

sub median { my @s = sort { $a <=> $b } @_; return ($s[ int($#s / 2) ] + $s[ int(@s / 2) ]) / 2; }
for my $clients (1, $high)
{
	my ($stps, $slat) = (median(map { $_->[0] } @{ $runs{sync}{$clients} }),
		median(map { $_->[1] } @{ $runs{sync}{$clients} }));
	my ($atps, $alat) = (median(map { $_->[0] } @{ $runs{async}{$clients} }),
		median(map { $_->[1] } @{ $runs{async}{$clients} }));
	diag(sprintf('FIGURE | %d | %.0f | %.2f | %.0f | %.2f | %.0f%% |', $clients, $stps, $slat, $atps, $alat,
		100 * ($atps - $stps) / $atps));
}
done_testing();
