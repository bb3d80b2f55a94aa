# A fuzzer of the API itself, beside sqlsmith (whose random queries mostly fail before
# they reach a function): API_FUZZ_CLIENTS (8) clients call the extension's functions
# for API_FUZZ_SECONDS (30) with arguments drawn from edge values of each parameter's
# type (NULL, 0, negative, the type's limits, unknown ids, empty, 200/201-byte and
# 4 MB strings, multibyte, quotes and LIKE wildcards, unknown wait policies, intervals
# around 1 second and 30 days and at the type's limits, empty, NULL-holding, duplicate,
# two-dimensional, offset and oversized arrays, batches up to 1001 requests) mixed with
# valid ones, on customers they share (so limits, keys and locks collide). Every answer
# must be a documented outcome or SQLSTATE, no message may name a customer the call did
# not pass, no backend may crash, no XX000 may come from the extension, and verify()
# and amcheck must be clean afterwards.
use strict;
use utf8;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use DBI;
use POSIX ();
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use TicketingNode;

my $clients = $ENV{API_FUZZ_CLIENTS} // 8;
my $seconds = $ENV{API_FUZZ_SECONDS} // 30;
my $seed = $ENV{API_FUZZ_SEED} // int(rand(1_000_000));
note "seed $seed";

my $node = ticketing_node('api_fuzz');
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE fuzz');
$node->safe_psql('fuzz', q{
	CREATE EXTENSION ticketing;
	CREATE EXTENSION amcheck;
	SELECT ticketing.create_event('api fuzz: GA', event_id => 1);
	SELECT ticketing.add_tickets(1, 500);
	SELECT ticketing.create_event('api fuzz: seated', per_customer_limit => 3, event_id => 2);
	SELECT ticketing.add_tickets(2, ARRAY(SELECT format('%s-%s-%s', s, r, n)
	                                        FROM unnest(ARRAY['A', 'B']) s, generate_series(1, 5) r,
	                                             generate_series(1, 10) n ORDER BY s, r, n));
});
my $offset = -s $node->logfile;
my $dir = PostgreSQL::Test::Utils::tempdir('api_fuzz');
my $dsn = 'dbi:Pg:dbname=fuzz;host=' . $node->host . ';port=' . $node->port;

################################################################################
# Argument generators: a valid value most of the time, an edge value otherwise.
################################################################################
# Each argument is an edge value one time in eight, so about half the calls are valid.
my @customers = map { "fz-$_" } qw(ann bob cy dee eve fay gus hal ivy jo);
my ($x200, $x201, $x4m, $k200, $k201, $k4m) =
  ('x' x 200, 'x' x 201, 'x' x 4_194_304, 'k' x 200, 'k' x 201, 'k' x 4_194_304);
sub pick { return $_[ int(rand(@_)) ]; }
sub maybe { my ($valid, @edges) = @_; return rand() < 0.875 ? $valid->() : pick(@edges); }

sub event_id { maybe(sub { pick(1, 2) }, undef, 0, -1, 3, 999999, '9223372036854775807', '-9223372036854775808') }
sub ticket_id { maybe(sub { 1 + int(rand(110)) }, undef, 0, -7, 501, '9223372036854775807', '-9223372036854775808', 2147483648) }
sub customer
{
	maybe(sub { pick(@customers) }, undef, '', $x200, $x201, 'é' x 100, 'é' x 101,
		$x4m, q{o'brien}, 'back\\slash', "tab\there", "new\nline", '%', '_', '🎫' x 50, 'NULL');
}
sub wait_policy { maybe(sub { pick('wait', 'nowait', 'skip') }, undef, '', 'WAIT', 'skip locked', 'bogus', 'w' x 300) }
sub key
{
	maybe(sub { rand() < 0.5 ? undef : 'k-' . int(rand(5000)) }, '', $k200, $k201, $k4m, "k\x{2028}");
}
sub hold_for
{
	maybe(sub { pick('10 minutes', '1 hour', '1 second', '30 days') }, undef, '0', '999 milliseconds',
		'30 days 1 second', '1 mon', '-1 day', '1000 years', '178000000 years', '-178000000 years',
		'2147483647 days', '1 day -86399 seconds', '1 mon -29 days');
}
sub quantity { maybe(sub { 1 + int(rand(4)) }, undef, 0, -1, 100, 101, 2147483647, -2147483648) }
sub boolean { maybe(sub { pick('true', 'false') }, undef) }
sub prefix { maybe(sub { undef }, 'A', 'A-', 'GA-', '', 'Z', '%', '_', '\\', 'x' x 4096) }
sub id_array
{
	maybe(sub { '{' . join(',', map { 1 + int(rand(110)) } 1 .. 1 + int(rand(4))) . '}' },
		undef, '{}', '{NULL}', '{3,NULL}', '{5,5}', '{0}', '{-1,2}', '{{1,2},{3,4}}', '[5:6]={7,8}',
		'{' . join(',', 1 .. 101) . '}', '{' . join(',', 1 .. 5000) . '}', '{9223372036854775807}');
}

# Each call: SQL with placeholders and the binds, and the outcomes it may answer.
my %outcomes = (
	ticket => [qw(claimed already_owned already_sold held not_found busy limit_reached released not_owner
		  hold_placed hold_expired not_held)],
	order => [qw(claimed hold_placed already_owned already_sold held not_found busy limit_reached
		  insufficient sold_out)],
	batch => [qw(claimed already_owned already_sold held not_found busy sold_out limit_reached)]);
my %allowed_states = map { $_ => 1 } qw(00000 22004 22023 TK001 55P03 P0002);

sub one_call
{
	my $roll = int(rand(9));
	if ($roll == 0)
	{
		return ('ticket', 'SELECT outcome FROM ticketing.claim_ticket(?::bigint, ?::bigint, ?::text, ?::text, ?::text)',
			event_id(), ticket_id(), customer(), wait_policy() // (rand() < 0.8 ? 'wait' : undef), key());
	}
	if ($roll == 1)
	{
		return ('ticket', 'SELECT outcome FROM ticketing.release_ticket(?::bigint, ?::bigint, ?::text, ?::text)',
			event_id(), ticket_id(), customer(), key());
	}
	if ($roll == 2)
	{
		return ('ticket',
			'SELECT outcome FROM ticketing.hold_ticket(?::bigint, ?::bigint, ?::text, ?::interval, ?::text, ?::text)',
			event_id(), ticket_id(), customer(), hold_for(), wait_policy(), key());
	}
	if ($roll == 3)
	{
		my $fn = pick('confirm_hold', 'release_hold');
		return ('ticket', "SELECT outcome FROM ticketing.$fn(?::bigint, ?::bigint, ?::text, ?::text)",
			event_id(), ticket_id(), customer(), key());
	}
	if ($roll == 4)
	{
		return ('order',
			'SELECT outcome FROM ticketing.claim_tickets(?::bigint, ?::bigint[], ?::text, ?::text, ?::interval, ?::text)',
			event_id(), id_array(), customer(), wait_policy(), rand() < 0.7 ? undef : hold_for(), key());
	}
	if ($roll == 5 || $roll == 6)
	{
		return ('order',
			'SELECT outcome FROM ticketing.claim_any(?::bigint, ?::text, ?::integer, ?::text, ?::text, ?::boolean, ?::interval, ?::text)',
			event_id(), customer(), quantity(), rand() < 0.8 ? undef : prefix(), prefix(), boolean() // 'false',
			rand() < 0.7 ? undef : hold_for(), key());
	}
	if ($roll == 7)
	{
		my $shape = rand();
		return ('batch', 'SELECT outcome FROM ticketing.claim_batch(?::bigint, NULL::ticketing.claim_request[])', event_id())
		  if $shape < 0.05;
		return ('batch', q{SELECT outcome FROM ticketing.claim_batch(?::bigint, '{}'::ticketing.claim_request[])}, event_id())
		  if $shape < 0.1;
		my $n = $shape < 0.15 ? 1001 : $shape < 0.2 ? 1000 : 1 + int(rand(8));
		my @binds;
		my @rows;
		for (1 .. $n)
		{
			if ($n <= 8 && rand() < 0.05) { push @rows, 'NULL'; next; }
			push @rows, 'ROW(?::bigint, ?::text, ?::text)';
			push @binds, rand() < 0.3 && $n <= 8 ? undef : ticket_id(), $n > 8 ? pick(@customers) : customer(),
			  $n > 8 ? undef : key();
		}
		return ('batch', 'SELECT outcome FROM ticketing.claim_batch(?::bigint, ARRAY['
			  . join(', ', @rows) . ']::ticketing.claim_request[])', event_id(), @binds);
	}
	return ('summary', 'SELECT total FROM ticketing.event_summary(?::bigint)', event_id());
}

################################################################################
# The clients: each writes one line per surprise (an undocumented answer, or a message
# naming a customer the call did not pass) and its counts.
################################################################################
my $until = time() + $seconds;
my @pids;
for my $no (1 .. $clients)
{
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		srand($seed * 100 + $no);
		my $dbh = DBI->connect($dsn, undef, undef,
			{ AutoCommit => 1, RaiseError => 0, PrintError => 0, PrintWarn => 0, pg_enable_utf8 => 1 })
		  or POSIX::_exit(1);
		$dbh->do(q{SET lock_timeout = '100ms'});
		my (%count, @surprises);
		while (time() < $until)
		{
			my ($kind, $sql, @binds) = one_call();
			my $rows = $dbh->selectall_arrayref($sql, undef, @binds);
			my $state = $rows ? '00000' : ($dbh->state // '');
			$count{calls}++;
			$count{"state $state"}++;
			if (!$rows)
			{
				my $message = $dbh->errstr // '';
				push @surprises, "undocumented $state: $message | $sql" unless $allowed_states{$state};
				my %passed = map { $_ => 1 } grep { defined } @binds;
				for my $c (@customers)
				{
					push @surprises, "message names $c: $message"
					  if index($message, $c) >= 0 && !$passed{$c};
				}
				next;
			}
			my %documented = map { $_ => 1 } @{ $outcomes{$kind} // [] };
			for my $row (@$rows)
			{
				my $answer = $row->[0] // 'NULL';
				$count{$kind eq q{summary} ? q{summaries} : "outcome $answer"}++;
				push @surprises, "undocumented outcome $answer | $sql"
				  if $kind ne 'summary' && !$documented{$answer};
			}
		}
		open my $fh, '>', "$dir/client-$no" or POSIX::_exit(1);
		print $fh "$_\t$count{$_}\n" for sort keys %count;
		print $fh "surprise\t$_\n" for @surprises;
		close $fh;
		POSIX::_exit(0);
	}
	push @pids, $pid;
}
my $failed = 0;
for my $pid (@pids)
{
	waitpid($pid, 0);
	$failed++ if $?;
}
my (%total, @surprises);
for my $no (1 .. $clients)
{
	open my $fh, '<', "$dir/client-$no" or next;
	while (my $line = <$fh>)
	{
		chomp $line;
		my ($key, $value) = split /\t/, $line, 2;
		if ($key eq 'surprise') { push @surprises, $value }
		else { $total{$key} += $value }
	}
}
is($failed, 0, "all $clients clients finished");
ok(($total{calls} // 0) > 100, "calls made ($total{calls})");
is(join("\n", map { substr($_, 0, 300) } @surprises[0 .. ($#surprises < 9 ? $#surprises : 9)]), '',
	'every answer is a documented outcome or SQLSTATE, and no message names another customer ('
	  . scalar(@surprises) . ')');

my $log = slurp_file($node->logfile, $offset);
is(join("\n", crash_lines($log)), '', 'no backend crashed');
my @internal = grep { $_->{state} eq 'XX000' } error_entries($log);
is(join("\n\n", map { $_->{text} } @internal[0 .. ($#internal < 4 ? $#internal : 4)]), '', 'no XX000');
is($node->safe_psql('fuzz', 'SELECT * FROM ticketing.verify()'), '', 'verify() is empty');
my ($checked, @problems) = amcheck_problems($node, 'fuzz');
is(join("\n", @problems), '', "amcheck clean on $checked indexes and tables");

diag(sprintf('api fuzz: %d clients, %d s, seed %d, %d calls; %s',
	$clients, $seconds, $seed, $total{calls} // 0,
	join(', ', map { "$_ $total{$_}" } sort grep { $_ ne 'calls' } keys %total)));
$node->stop;
done_testing();
