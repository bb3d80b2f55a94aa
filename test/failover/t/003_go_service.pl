# The Go service carries on: flashsale (clients/go) runs against the formation with a
# multi-host connection string (target_session_attrs=read-write) and -failover-wait 30s;
# SERVICE_CLIENTS (16) HTTP buyers post claim-any requests, each with an Idempotency-Key,
# while the primary is killed (every process, SIGKILL). The service repeats the calls in
# hand on the new primary with their keys, so every request gets 200 or 409 — no 5xx —
# and the answers match the audit log exactly: each ticket answered "claimed" was sold
# to that buyer once, and nothing else was sold to the buyers.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Temp ();
use HTTP::Tiny;
use IPC::Run ();
use POSIX ();
use Test::More;
use Time::HiRes qw(time sleep);
use TicketingHA;

my $clients = $ENV{SERVICE_CLIENTS} // 16;
my $bin = $ENV{FO_FLASHSALE} or BAIL_OUT('FO_FLASHSALE (the flashsale binary) is not set');
my $dir = $ENV{TESTDIR} // File::Temp::tempdir(CLEANUP => 1);

my $ha = TicketingHA->new(dir => $dir);
my ($na) = $ha->start_formation;
$na->safe_psql('postgres', 'CREATE DATABASE shop');
$na->safe_psql('shop', q{CREATE EXTENSION ticketing;
	SELECT ticketing.create_event('service failover', event_id => 1);
	SELECT ticketing.add_tickets(1, 100000);});

# The service, in the hub namespace with the clients.
my $port = 18080;
my $dsn = 'host=127.100.1.2,127.100.2.2 port=5432,5432 user=postgres dbname=shop '
  . 'target_session_attrs=read-write connect_timeout=2';
my $service_log = "$dir/flashsale.log";
my $service = IPC::Run::start([ $bin, '-listen', "127.0.0.1:$port", '-pool', 16, '-dsn', $dsn,
		'-failover-wait', '30s' ], '<', \undef, '>', $service_log, '2>&1');
my $http = HTTP::Tiny->new(timeout => 90);
my $up = 0;
for (1 .. 100)
{
	my $r = $http->get("http://127.0.0.1:$port/events/1");
	if ($r->{status} == 200) { $up = 1; last }
	sleep(0.1);
}
ok($up, 'flashsale answers through the multi-host connection string');

# Buyers: one request in flight each, until the stop file exists; each answer on a line:
# key, HTTP status, outcome, ticket ids, time.
my $stop = "$dir/stop";
my @pids;
for my $no (1 .. $clients)
{
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		my $h = HTTP::Tiny->new(timeout => 90);
		open my $out, '>', "$dir/answers-$no" or POSIX::_exit(1);
		my $seq = 0;
		my $give_up = time() + 240;    # should the test die without making the stop file
		until (-e $stop || time() > $give_up)
		{
			my $key = sprintf('svc-%02d-%d', $no, ++$seq);
			my $r = $h->post("http://127.0.0.1:$port/events/1/claim-any", {
					headers => { 'Idempotency-Key' => $key, 'Content-Type' => 'application/json' },
					content => qq({"customer": "buyer-$no", "quantity": 2}) });
			my ($outcome) = ($r->{content} // '') =~ /"outcome":"([a-z_]+)"/;
			my ($ids) = ($r->{content} // '') =~ /"ticket_ids":\[([0-9,]*)\]/;
			my ($error) = ($r->{content} // '') =~ /"error":"([a-z_]+)"/;
			syswrite($out, join("\t", $key, "buyer-$no", $r->{status}, $outcome // $error // '', $ids // '',
					sprintf('%.6f', time())) . "\n");
		}
		close $out;
		POSIX::_exit(0);
	}
	push @pids, $pid;
}

sleep(5);
my $waiting = $na->safe_psql('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'});
my ($killed_at, $killed) = $na->kill_all;
note sprintf('killed node_a (%d processes) with %d commits waiting for the standby', $killed, $waiting);
my $promoted = $ha->wait_writable('b');
ok($promoted, sprintf('node_b accepts writes %.1f s after the kill', ($promoted // time()) - $killed_at));
# Go on until every buyer has had 20 answers after the kill (or 60 s).
my $deadline = time() + 60;
while (time() < $deadline)
{
	my $after = 0;
	for my $no (1 .. $clients)
	{
		open my $in, '<', "$dir/answers-$no" or next;
		while (my $line = <$in>) { $after++ if (split /\t/, $line)[5] > $killed_at }
	}
	last if $after >= 20 * $clients;
	sleep(0.5);
}
open my $fh, '>', $stop or die $!;
close $fh;
waitpid($_, 0) for @pids;
$service->kill_kill;
$na->start;

my $nb = $ha->node('b');
$nb->safe_psql('shop', q{CREATE TABLE answers (key text, customer text, status int, outcome text,
	ticket_ids text, answered_at double precision)});
my @files = map { "$dir/answers-$_" } 1 .. $clients;
my $all = "$dir/answers.tsv";
system("cat @files > $all") == 0 or die 'cat';
$nb->safe_psql('shop', "COPY answers FROM '$all'");

my ($requests, $after_kill) = split /\|/, $nb->safe_psql('shop',
	"SELECT count(*), count(*) FILTER (WHERE answered_at > $killed_at) FROM answers");
my $bad = $nb->safe_psql('shop', q{SELECT status || ' ' || outcome || ' ' || count(*) FROM answers
	WHERE status NOT IN (200, 409) GROUP BY status, outcome ORDER BY 1});
is($bad, '', "every one of $requests requests ($after_kill answered after the kill) got 200 or 409, none 5xx");

my $mismatch = $nb->safe_psql('shop', q{
	WITH answered AS (
	    SELECT customer, unnest(string_to_array(ticket_ids, ','))::bigint AS ticket_id
	      FROM answers WHERE status = 200 AND outcome = 'claimed'),
	sold AS (
	    SELECT customer, ticket_id FROM ticketing.audit_log
	     WHERE event_id = 1 AND to_status = 'sold' AND customer LIKE 'buyer-%')
	SELECT 'unanswered sale ' || customer || ' ' || ticket_id
	  FROM (SELECT * FROM sold EXCEPT ALL SELECT * FROM answered) x
	UNION ALL
	SELECT 'answered, not sold ' || customer || ' ' || ticket_id
	  FROM (SELECT * FROM answered EXCEPT ALL SELECT * FROM sold) y
	LIMIT 20});
my $sales = $nb->safe_psql('shop', q{SELECT count(*) FROM ticketing.audit_log WHERE event_id = 1 AND to_status = 'sold'});
is($mismatch, '', "the $sales sales are exactly the tickets answered \"claimed\", each to its buyer once");
is($nb->safe_psql('shop', 'SELECT * FROM ticketing.verify()'), '', 'verify() is empty on node_b');

# Requests in flight at the kill whose first attempt had committed: their key was
# written before the kill and their answer came after it, from the key.
my $from_key = $nb->safe_psql('shop', "SELECT count(*) FROM answers a JOIN ticketing.idempotency_keys k
	ON k.event_id = 1 AND k.customer = a.customer AND k.idempotency_key = a.key
	WHERE a.answered_at > $killed_at AND k.created_at < to_timestamp($killed_at)");
my $gap = $nb->safe_psql('shop', sprintf('SELECT round((min(answered_at) - %.6f)::numeric, 2) FROM answers
	WHERE status = 200 AND answered_at > %.6f AND key IN (SELECT idempotency_key FROM ticketing.idempotency_keys
	WHERE created_at > to_timestamp(%.6f))', $killed_at, $killed_at, $killed_at));
my @repeats = slurp($service_log) =~ /(failover: .*)$/mg;
note "flashsale: $_" for @repeats[0 .. ($#repeats < 9 ? $#repeats : 9)];
diag(sprintf('go service: %d calls repeated by the service after a lost connection', scalar @repeats));
diag(sprintf('go service: %d buyers, %d requests (%d answered after the kill), %d sales, %d commits waiting '
	  . 'at the kill, %d requests in flight at the kill answered from their keys, first sale on node_b '
	  . '%s s after the kill', $clients, $requests, $after_kill, $sales, $waiting, $from_key, $gap));
ok($ha->wait_states(120, b => 'primary', a => 'secondary'), 'node_a rejoined as the secondary');

sub slurp { my ($f) = @_; open my $h, '<', $f or return ''; local $/; return <$h>; }
done_testing();
