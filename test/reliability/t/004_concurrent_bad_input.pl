# The bad inputs that need a second session: serialization failures (40001) under
# SERIALIZABLE and REPEATABLE READ, a ticket locked by another transaction (55P03 with
# nowait and lock_timeout, busy with skip and in a batch, 57014 with a 1 ms
# statement_timeout), a cancel and a terminate in the middle of a batch, and a client
# that vanishes in the middle of one. Each gets its documented SQLSTATE; afterwards the
# tables are unchanged, no lock is left, and no message names another customer.
# (sql/22_bad_input_matrix.sql has the single-session inputs; t/002_replica.pl the hot
# standby.)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use DBI;
use DBD::Pg qw(:async);
use POSIX ();
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use TicketingNode;

my $node = ticketing_node('sessions');
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE shop');
$node->safe_psql('shop', q{
	CREATE EXTENSION ticketing;
	CREATE EXTENSION pgrowlocks;
	SELECT ticketing.create_event('sessions', event_id => 1);
	SELECT ticketing.add_tickets(1, 2000);
	SELECT outcome FROM ticketing.claim_ticket(1, 1, 'owner-secret-bob');
});
my $dsn = 'dbi:Pg:dbname=shop;host=' . $node->host . ';port=' . $node->port;
sub session
{
	my $dbh = DBI->connect($dsn, undef, undef,
		{ AutoCommit => 1, RaiseError => 0, PrintError => 0, PrintWarn => 0 })
	  or die "connect: $DBI::errstr";
	return $dbh;
}
my ($a, $b) = (session(), session());
my @messages;    # every error message a caller saw

# Runs $sql in session $dbh; returns its SQLSTATE ('00000' and the first column of
# the first row on success).
sub try_sql
{
	my ($dbh, $sql) = @_;
	my $row = $dbh->selectrow_arrayref($sql);
	return ('00000', $row ? $row->[0] : undef) unless $dbh->err;
	push @messages, $dbh->errstr;
	return ($dbh->state, undef);
}

my $tried = 0;
sub expect
{
	my ($dbh, $sql, $state, $outcome, $what) = @_;
	my ($got, $answer) = try_sql($dbh, $sql);
	$tried++;
	if (defined $outcome)
	{
		is($got . q{ } . ($answer // q{}), "00000 $outcome", "$what: $outcome");
	}
	else
	{
		is($got, $state, "$what: $state");
	}
	return;
}

################################################################################
# 40001: a ticket sold by a transaction that committed after the caller's snapshot.
################################################################################
for my $level ('SERIALIZABLE', 'REPEATABLE READ')
{
	my @cases = (
		[ 'claim_ticket',  q{SELECT outcome FROM ticketing.claim_ticket(1, %d, 'alice')} ],
		[ 'claim_tickets', q{SELECT outcome FROM ticketing.claim_tickets(1, ARRAY[%d, 1999], 'alice')} ],
		[ 'claim_batch',   q{SELECT outcome FROM ticketing.claim_batch(1, ARRAY[ROW(%d, 'alice', NULL)]::ticketing.claim_request[])} ],
		[ 'hold_ticket',   q{SELECT outcome FROM ticketing.hold_ticket(1, %d, 'alice')} ]);
	for my $case (@cases)
	{
		my ($name, $sql) = @$case;
		my $ticket = 100 + $tried;
		$a->do("BEGIN ISOLATION LEVEL $level");
		$a->selectrow_arrayref('SELECT 1');    # the snapshot
		$b->selectrow_arrayref("SELECT ticketing.claim_ticket(1, $ticket, 'owner-secret-bob')");
		expect($a, sprintf($sql, $ticket), '40001', undef, "$level, $name of a ticket sold since the snapshot");
		$a->do('ROLLBACK');
	}
	# An untouched ticket is claimed at that level as at any other.
	$a->do("BEGIN ISOLATION LEVEL $level");
	expect($a, q{SELECT outcome FROM ticketing.claim_ticket(1, 1500, 'alice')}, undef, 'claimed',
		"$level, a claim of an untouched ticket");
	$a->do('ROLLBACK');
}

my $baseline = tables_checksum($node, 'shop');

################################################################################
# A ticket locked by another transaction.
################################################################################
$b->do('BEGIN');
$b->selectrow_arrayref(q{SELECT ticketing.claim_ticket(1, 10, 'owner-secret-bob')});
expect($a, q{SELECT outcome FROM ticketing.claim_ticket(1, 10, 'alice', 'nowait')}, '55P03', undef, 'nowait on a locked ticket');
expect($a, q{SELECT outcome FROM ticketing.claim_ticket(1, 10, 'alice', 'skip')}, undef, 'busy', 'skip on a locked ticket');
expect($a, q{SELECT outcome FROM ticketing.hold_ticket(1, 10, 'alice', wait => 'nowait')}, '55P03', undef, 'hold, nowait, locked');
expect($a, q{SELECT outcome FROM ticketing.hold_ticket(1, 10, 'alice', wait => 'skip')}, undef, 'busy', 'hold, skip, locked');
expect($a, q{SELECT outcome FROM ticketing.claim_tickets(1, ARRAY[10, 11], 'alice', 'nowait')}, '55P03', undef, 'order, nowait, locked');
expect($a, q{SELECT outcome FROM ticketing.claim_tickets(1, ARRAY[10, 11], 'alice', 'skip')}, undef, 'busy', 'order, skip, locked');
expect($a, q{SELECT outcome FROM ticketing.claim_batch(1, ARRAY[ROW(10, 'alice', NULL)]::ticketing.claim_request[])},
	undef, 'busy', 'a batch request for a locked ticket');
$a->do(q{SET lock_timeout = '200ms'});
expect($a, q{SELECT outcome FROM ticketing.claim_ticket(1, 10, 'alice')}, '55P03', undef, 'wait, lock_timeout 200 ms');
expect($a, q{SELECT outcome FROM ticketing.release_ticket(1, 10, 'alice')}, undef, 'not_owner',
	'release of a locked ticket the caller does not own');
$a->do('RESET lock_timeout');
$a->do(q{SET statement_timeout = '1ms'});
expect($a, q{SELECT outcome FROM ticketing.claim_ticket(1, 10, 'alice')}, '57014', undef, 'wait, statement_timeout 1 ms');
$a->do('RESET statement_timeout');
$b->do('ROLLBACK');

################################################################################
# Interrupted batches. A trigger that counts the rows it sees and sleeps 20 ms per row
# makes a batch of 300 last 6 s, so the interruption lands in its middle.
################################################################################
$node->safe_psql('shop', q{
	CREATE SEQUENCE public.rows_seen;
	CREATE FUNCTION public.slow_row() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
	    PERFORM pg_catalog.nextval('public.rows_seen');
	    PERFORM pg_catalog.pg_sleep(0.02);
	    RETURN NEW;
	END $$;
	CREATE TRIGGER slow_row BEFORE UPDATE ON ticketing.tickets
	    FOR EACH ROW EXECUTE FUNCTION public.slow_row();
});
my $big_batch = 'SELECT count(*) FROM ticketing.claim_batch(1, ARRAY(SELECT ROW(NULL, '
  . q{'alice', 'batch-' || n)::ticketing.claim_request FROM generate_series(1, 300) n))};

sub rows_seen
{
	return $node->safe_psql('shop',
		q{SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM public.rows_seen});
}

# Starts the batch in $dbh, waits until the trigger has seen some rows, then runs $stop.
sub interrupt_batch
{
	my ($dbh, $stop, $what) = @_;
	$node->safe_psql('shop', q{SELECT setval('public.rows_seen', 1, false)});
	my $pid = $dbh->{pg_pid};
	$dbh->do($big_batch, { pg_async => PG_ASYNC });
	my $deadline = time() + 30;
	sleep(0.1) while rows_seen() < 10 && time() < $deadline;
	$node->safe_psql('shop', sprintf($stop, $pid));
	my $result = $dbh->pg_result;
	my $seen = rows_seen();
	ok($seen >= 10 && $seen < 300, "$what: stopped in the middle ($seen of 300 rows)");
	return $dbh->state;
}

is(interrupt_batch($a, 'SELECT pg_cancel_backend(%d)', 'pg_cancel_backend'), '57014',
	'a batch cancelled in its middle: 57014');
$tried++;
push @messages, $a->errstr // '';
$a->do(q{SET statement_timeout = '1ms'});
expect($a, $big_batch, '57014', undef, 'a batch of 300 under a 1 ms statement_timeout');
$a->do('RESET statement_timeout');
my $c = session();
my $state = interrupt_batch($c, 'SELECT pg_terminate_backend(%d)', 'pg_terminate_backend');
ok(!$c->ping, 'a batch whose backend was terminated in its middle: the connection is closed');
$tried++;

# A client that vanishes in the middle of a batch in its own transaction: the server
# rolls it back when it notices (client_connection_check_interval makes that prompt).
$node->safe_psql('shop', q{SELECT setval('public.rows_seen', 1, false)});
my $child = fork();
if ($child == 0)
{
	my $d = session();
	$d->do(q{SET client_connection_check_interval = '100ms'});
	$d->do('BEGIN');
	$d->do($big_batch, { pg_async => PG_ASYNC });
	sleep(0.5);
	POSIX::_exit(0);    # no COMMIT, no goodbye
}
waitpid($child, 0);
ok($node->poll_query_until('shop',
		q{SELECT count(*) = 0 FROM pg_stat_activity WHERE query LIKE '%claim_batch%' AND state <> 'idle' AND pid <> pg_backend_pid()}),
	'the backend of a vanished client ends');
my $vanished_seen = rows_seen();
ok($vanished_seen > 0 && $vanished_seen < 300, "it ended in the middle of the batch ($vanished_seen of 300 rows)");
$tried++;

$node->safe_psql('shop', 'DROP TRIGGER slow_row ON ticketing.tickets');
is(tables_checksum($node, 'shop'), $baseline, 'the tables are unchanged');
is(join("\n", leftover_locks($node, 'shop')), '', 'no lock left');
is(join("\n", grep { /owner-secret/ } @messages), '', 'no message names another customer (' . scalar(@messages) . ' messages)');
is($node->safe_psql('shop', 'SELECT * FROM ticketing.verify()'), '', 'verify() is empty');

diag("concurrent bad input: $tried inputs tried, each with its SQLSTATE or outcome; tables unchanged");
$a->disconnect;
$b->disconnect;
$node->stop;
done_testing();
