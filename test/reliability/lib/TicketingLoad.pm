# The ledger load: N client processes (DBD::Pg) drive claim_ticket, claim_any,
# claim_tickets, claim_batch, holds, confirmations and releases, every call in an
# explicit transaction. A client appends the changes a call made to its ledger file only
# after its COMMIT returned. When the connection is lost (a crash, a restart), the
# client reconnects and repeats the same call until it gets an answer: with the same
# idempotency key, or, for an unkeyed claim or release of one ticket, the same call,
# whose answer (already_owned, not_owner) then tells that the lost attempt committed.
# So every change the database made for a client is in its ledger once, and nothing
# else is: the checks compare the ledger with the audit log and the tickets row by row.
# Each ledger line also names the idempotency key the change was requested with (\N for
# none), so a test can tell a repeat answered from its key from one that ran again.
package TicketingLoad;

use strict;
use warnings;
use DBI;
use POSIX ();
use Time::HiRes qw(time sleep);

# Events of the load: GA (no limit), a seated event with a per-customer limit (adjacent
# seats, customer_slots), and one for holds.
use constant {GA => 1, SEATED => 2, HOLDS => 3};
my %tickets_in = (GA, 4000, SEATED, 400, HOLDS, 2000);
# How many tickets a client keeps per event before it gives some back, so the events
# never sell out and tickets change hands (sold, released, sold to someone else).
my %keep = (GA, 25, SEATED, 8, HOLDS, 12);
my $HOT = 40;    # tickets 1..40 of the GA event are contended on purpose

sub setup_inventory
{
	my ($node, $db) = @_;
	$node->safe_psql($db, q{
		CREATE EXTENSION IF NOT EXISTS ticketing;
		SELECT ticketing.create_event('ledger: general admission', event_id => 1);
		SELECT ticketing.add_tickets(1, 4000);
		SELECT ticketing.create_event('ledger: seated, 8 per customer', per_customer_limit => 8,
		                              event_id => 2);
		SELECT ticketing.add_tickets(2, ARRAY(
		    SELECT format('%s-%s-%s', s, r, n)
		      FROM unnest(ARRAY['A', 'B']) s, generate_series(1, 10) r, generate_series(1, 20) n
		     ORDER BY s, r, n));
		SELECT ticketing.create_event('ledger: holds', event_id => 3);
		SELECT ticketing.add_tickets(3, 2000);
	});
	return;
}

# Forks $o{clients} clients that run until $o{seconds} from now (or until the file
# $o{stop_file}, when given, exists), then finish the call in hand (reconnecting for up
# to $o{grace} seconds). Returns their pids.
sub start_clients
{
	my (%o) = @_;
	$o{grace} //= 120;
	my $until = time() + $o{seconds};
	my @pids;
	for my $no (1 .. $o{clients})
	{
		my $pid = fork();
		die "fork: $!" unless defined $pid;
		if ($pid == 0)
		{
			my $status = eval { client_main(%o, no => $no, until => $until); 0 } // 1;
			print STDERR "client $no: $@" if $@;
			# _exit: a forked child must not run the test's END blocks (they stop nodes).
			POSIX::_exit($status);
		}
		push @pids, $pid;
	}
	return @pids;
}

# Waits for the clients and adds up their summaries. A client that died, or whose
# summary is missing, counts in {failed_clients}.
sub wait_clients
{
	my ($dir, @pids) = @_;
	my %total = (failed_clients => 0, surprises => [], errors => {});
	for my $pid (@pids)
	{
		waitpid($pid, 0);
		$total{failed_clients}++ if $? != 0;
	}
	for my $no (1 .. scalar @pids)
	{
		my $file = "$dir/summary-$no";
		if (!-e $file)
		{
			$total{failed_clients}++;
			next;
		}
		open my $fh, '<', $file or die "$file: $!";
		while (my $line = <$fh>)
		{
			chomp $line;
			my ($key, $value) = split /\t/, $line, 2;
			if ($key eq 'surprise') { push @{ $total{surprises} }, "client $no: $value" }
			elsif ($key =~ /^error (\S+)$/) { $total{errors}{$1} += $value }
			else { $total{$key} += $value }
		}
		close $fh;
	}
	return \%total;
}

# All ledger lines of the clients in one file, for COPY into the ledger table:
# client, seq, event_id, ticket_id, from_status, to_status, customer, call, acked_at, retried,
# idempotency_key.
sub merge_ledgers
{
	my ($dir, $clients) = @_;
	my $all = "$dir/ledger.tsv";
	open my $out, '>', $all or die "$all: $!";
	for my $no (1 .. $clients)
	{
		my $file = "$dir/ledger-$no";
		next unless -e $file;
		open my $in, '<', $file or die "$file: $!";
		print $out $_ while <$in>;
		close $in;
	}
	close $out;
	return $all;
}

################################################################################
# One client
################################################################################

sub client_main
{
	my (%o) = @_;
	srand($o{seed} * 1000 + $o{no});
	my $c = {
		no       => $o{no},
		customer => sprintf('cust-%02d', $o{no}),
		dsn      => $o{dsn},
		until    => $o{until},
		stop_file => $o{stop_file},
		grace    => $o{grace},
		seq      => 0,
		owned    => {},      # "event:ticket" => 'sold' | 'held'
		stats    => {},
		surprises => [],
	};
	open $c->{ledger}, '>>', "$o{dir}/ledger-$o{no}" or die "ledger: $!";
	connect_client($c) or die "cannot connect";
	while (time() < $c->{until})
	{
		if ($c->{stop_file} && -e $c->{stop_file})
		{
			$c->{until} = time();    # the grace period for a reconnect counts from here
			last;
		}
		run_call($c, pick_call($c));
		last if $c->{stats}{unresolved};
	}
	$c->{dbh}->disconnect if $c->{dbh};
	close $c->{ledger};
	open my $sum, '>', "$o{dir}/summary-$o{no}.tmp" or die "summary: $!";
	for my $key (sort keys %{ $c->{stats} })
	{
		print $sum "$key\t$c->{stats}{$key}\n";
	}
	print $sum "surprise\t$_\n" for @{ $c->{surprises} };
	close $sum;
	rename "$o{dir}/summary-$o{no}.tmp", "$o{dir}/summary-$o{no}";
	return;
}

# Connects, retrying until the server accepts (after a crash it is in recovery for a
# moment) or the grace period after the end of the load is over.
sub connect_client
{
	my ($c) = @_;
	my $deadline = $c->{until} + $c->{grace};
	while (time() < $deadline)
	{
		my $dbh = DBI->connect($c->{dsn}, undef, undef,
			{ AutoCommit => 0, RaiseError => 0, PrintError => 0, PrintWarn => 0 });
		if ($dbh)
		{
			if ($dbh->do("SET application_name = 'ledger-$c->{no}'")
				&& $dbh->do("SET lock_timeout = '2s'") && $dbh->commit)
			{
				$c->{dbh} = $dbh;
				return 1;
			}
		}
		sleep(0.2);
	}
	return 0;
}

sub count { my ($c, $key, $n) = @_; $c->{stats}{$key} += $n // 1; return; }

# Runs one call until it is answered. Returns after the commit (ledger written), after
# an error that rolled it back, or when the server stayed away past the grace period.
sub run_call
{
	my ($c, $call) = @_;
	my $retry = 0;
	count($c, 'calls');
	while (1)
	{
		my $changes = eval { $call->{run}->($c, $retry) };
		if (!$@)
		{
			record($c, $call, $changes, $retry);
			return;
		}
		my $err = $@;
		die $err unless ref $err;    # a bug in this file
		if (!$err->{lost})
		{
			$c->{dbh}->rollback;
			count($c, "error $err->{state}");
			push @{ $c->{surprises} }, "$call->{name}: $err->{state} $err->{message}"
			  unless $err->{state} eq '55P03';    # nowait, lock_timeout: expected
			return;
		}
		# The connection is gone. A lost COMMIT leaves the outcome unknown; the retry
		# with the same key (or the same one-ticket call) finds out.
		count($c, 'reconnects');
		count($c, 'in_doubt') if $err->{at_commit};
		count($c, 'read_only') if $err->{read_only};
		$c->{dbh} = undef;
		if (!connect_client($c))
		{
			count($c, 'unresolved');
			push @{ $c->{surprises} }, "$call->{name}: no connection to repeat it";
			return;
		}
		return if $call->{no_retry};    # rolled back on purpose: nothing to find out
		$retry = 1;
		count($c, 'retries');
	}
}

# Appends the changes of an acknowledged call to the ledger and updates what the client
# owns. Each change is one audit row the database must have.
sub record
{
	my ($c, $call, $changes, $retry) = @_;
	my $now = sprintf('%.6f', time());
	my $lines = '';
	for my $change (@$changes)
	{
		my ($event, $ticket, $from, $to, $key) = @$change;
		$c->{seq}++;
		$lines .= join("\t", $c->{no}, $c->{seq}, $event, $ticket, $from, $to, $c->{customer},
			$call->{name}, $now, $retry ? 't' : 'f', $key // '\\N') . "\n";
		if ($to eq 'available') { delete $c->{owned}{"$event:$ticket"} }
		else { $c->{owned}{"$event:$ticket"} = $to }
		count($c, 'changes');
		count($c, 'sales') if $to eq 'sold';
	}
	syswrite($c->{ledger}, $lines) == length($lines) or die "ledger write: $!" if $lines ne '';
	count($c, 'acked_calls');
	return;
}

################################################################################
# Statements
################################################################################

# Runs one statement of the call's transaction; dies with {lost} when the connection is
# gone, or {state, message} for an error.
sub rows
{
	my ($c, $sql, @binds) = @_;
	my $dbh = $c->{dbh} or die { lost => 1 };
	my $rows = $dbh->selectall_arrayref($sql, { Slice => {} }, @binds);
	return $rows if $rows;
	fail_with($dbh, 0);
}

sub commit
{
	my ($c) = @_;
	$c->{dbh}->commit and return;
	fail_with($c->{dbh}, 1);
}

sub fail_with
{
	my ($dbh, $at_commit) = @_;
	my $state = $dbh->state // '';
	if ($state =~ /^(08|57P)/ || !$dbh->ping)
	{
		die { lost => 1, at_commit => $at_commit };
	}
	# A node that stopped taking writes after we connected (a primary being demoted, or a
	# standby being promoted while pg_auto_failover keeps it read-only for a moment): the
	# call changed nothing; find the primary and repeat it.
	die { lost => 1, at_commit => 0, read_only => 1 } if $state eq '25006';
	die { state => $state, message => $dbh->errstr // '' };
}

sub key { my ($c) = @_; return "c$c->{no}-" . ++$c->{keyseq}; }

sub owned_in
{
	my ($c, $event, $status) = @_;
	return grep {
		my ($e) = split /:/;
		$e == $event && (!$status || $c->{owned}{$_} eq $status)
	} sort keys %{ $c->{owned} };
}

sub free_ticket
{
	my ($c, $event, $range) = @_;
	$range //= $tickets_in{$event};
	for (1 .. 20)
	{
		my $t = 1 + int(rand($range));
		return $t unless exists $c->{owned}{"$event:$t"};
	}
	return undef;
}

# A claim of one ticket the client does not own. Unkeyed, a repeat after a lost commit
# answers already_owned if the lost attempt had sold it.
sub single_claim
{
	my ($event, $ticket, $wait, $key) = @_;
	return sub {
		my ($c, $retry) = @_;
		my $r = rows($c, 'SELECT outcome FROM ticketing.claim_ticket(?, ?, ?, ?, ?)',
			$event, $ticket, $c->{customer}, $wait, $key)->[0];
		commit($c);
		return [[ $event, $ticket, 'available', 'sold', $key ]]
		  if $r->{outcome} eq 'claimed' || ($retry && !$key && $r->{outcome} eq 'already_owned');
		push @{ $c->{surprises} }, "claim_ticket($event, $ticket): $r->{outcome} of a ticket it did not own"
		  if $r->{outcome} eq 'already_owned';
		return [];
	};
}

sub pick_call
{
	my ($c) = @_;
	my $roll = rand(100);
	my @ga = owned_in($c, GA);
	my @seated = owned_in($c, SEATED);
	my @holds_sold = owned_in($c, HOLDS, 'sold');
	my @held = (owned_in($c, HOLDS, 'held'), owned_in($c, SEATED, 'held'));

	# Give back first when a client keeps too many.
	return release_call($c, $ga[rand @ga]) if @ga >= $keep{+GA} && $roll < 50;
	return release_call($c, $holds_sold[rand @holds_sold]) if @holds_sold >= $keep{+HOLDS};
	return release_call($c, $seated[rand @seated]) if @seated >= $keep{+SEATED} - 1;
	if (@held >= 4)
	{
		my $ticket = $held[rand @held];
		return rand() < 0.6 ? confirm_call($c, $ticket) : release_hold_call($c, $ticket);
	}

	if ($roll < 20)
	{
		# One ticket: sometimes a contended one, with each wait policy.
		my $hot = rand() < 0.25;
		my $t = free_ticket($c, GA, $hot ? $HOT : undef) // return noop();
		my @waits = ('wait', 'wait', 'nowait', 'skip');
		my $key = rand() < 0.4 ? key($c) : undef;
		return { name => 'claim_ticket', run => single_claim(GA, $t, $waits[rand @waits], $key) };
	}
	return claim_any_call($c) if $roll < 32;
	return claim_tickets_call($c) if $roll < 40;
	return claim_batch_call($c) if $roll < 50;
	return hold_call($c) if $roll < 60;
	return seated_call($c) if $roll < 68;
	return two_claims_call($c) if $roll < 74;
	return rolled_back_call($c) if $roll < 78;
	return release_call($c, $ga[rand @ga]) if @ga && $roll < 86;
	return release_call($c, $holds_sold[rand @holds_sold]) if @holds_sold && $roll < 90;
	if (@held)
	{
		my $ticket = $held[rand @held];
		return rand() < 0.6 ? confirm_call($c, $ticket) : release_hold_call($c, $ticket);
	}
	return claim_any_call($c);
}

sub noop { return { name => 'noop', run => sub { commit($_[0]); return [] } }; }

sub claim_any_call
{
	my ($c) = @_;
	my $quantity = 1 + int(rand(3));
	my $key = key($c);
	return {
		name => 'claim_any',
		run  => sub {
			my ($c) = @_;
			my $r = rows($c, 'SELECT outcome, ticket_ids FROM ticketing.claim_any(?, ?, ?, idempotency_key => ?)',
				GA, $c->{customer}, $quantity, $key)->[0];
			commit($c);
			return [] unless $r->{outcome} eq 'claimed';
			return [ map { [ GA, $_, 'available', 'sold', $key ] } @{ $r->{ticket_ids} } ];
		}
	};
}

sub distinct_free
{
	my ($c, $event, $n) = @_;
	my %seen;
	for (1 .. 50)
	{
		my $t = free_ticket($c, $event) // next;
		$seen{$t} = 1;
		last if keys %seen == $n;
	}
	return sort { $a <=> $b } keys %seen;
}

sub claim_tickets_call
{
	my ($c) = @_;
	my @ids = distinct_free($c, GA, 2 + int(rand(2)));
	return noop() if @ids < 2;
	my $key = key($c);
	return {
		name => 'claim_tickets',
		run  => sub {
			my ($c) = @_;
			my $r = rows($c,
				'SELECT outcome, ticket_ids FROM ticketing.claim_tickets(?, ?::bigint[], ?, idempotency_key => ?)',
				GA, \@ids, $c->{customer}, $key)->[0];
			commit($c);
			return [] unless $r->{outcome} eq 'claimed';
			return [ map { [ GA, $_, 'available', 'sold', $key ] } @{ $r->{ticket_ids} } ];
		}
	};
}

# A batch of given tickets and any-seat requests, one key per request.
sub claim_batch_call
{
	my ($c) = @_;
	my @given = distinct_free($c, GA, 1 + int(rand(3)));
	my @requests = ((map { [ $_, key($c) ] } @given), map { [ undef, key($c) ] } 1 .. int(rand(3)));
	return noop() unless @requests;
	my $sql = 'SELECT request_no, outcome, ticket_id FROM ticketing.claim_batch(?, ARRAY['
	  . join(', ', map { 'ROW(?::bigint, ?::text, ?::text)' } @requests)
	  . ']::ticketing.claim_request[]) ORDER BY request_no';
	my @binds = map { ($_->[0], undef, $_->[1]) } @requests;
	return {
		name => 'claim_batch',
		run  => sub {
			my ($c) = @_;
			my @b = @binds;
			$b[ 3 * $_ + 1 ] = $c->{customer} for 0 .. $#requests;
			my $rows = rows($c, $sql, GA, @b);
			commit($c);
			return [ map { [ GA, $_->{ticket_id}, 'available', 'sold', $requests[ $_->{request_no} - 1 ][1] ] }
				  grep { $_->{outcome} eq 'claimed' } @$rows ];
		}
	};
}

sub hold_call
{
	my ($c) = @_;
	my $t = free_ticket($c, HOLDS) // return noop();
	my $key = key($c);
	return {
		name => 'hold_ticket',
		run  => sub {
			my ($c) = @_;
			my $r = rows($c,
				q{SELECT outcome FROM ticketing.hold_ticket(?, ?, ?, interval '1 hour', idempotency_key => ?)},
				HOLDS, $t, $c->{customer}, $key)->[0];
			commit($c);
			return $r->{outcome} eq 'hold_placed' ? [[ HOLDS, $t, 'available', 'held', $key ]] : [];
		}
	};
}

sub confirm_call
{
	my ($c, $owned) = @_;
	my ($event, $t) = split /:/, $owned;
	my $key = key($c);
	return {
		name => 'confirm_hold',
		run  => sub {
			my ($c) = @_;
			my $r = rows($c, 'SELECT outcome FROM ticketing.confirm_hold(?, ?, ?, idempotency_key => ?)',
				$event, $t, $c->{customer}, $key)->[0];
			commit($c);
			return [[ $event, $t, 'held', 'sold', $key ]] if $r->{outcome} eq 'claimed';
			push @{ $c->{surprises} }, "confirm_hold($event, $t) of its live hold: $r->{outcome}";
			return [];
		}
	};
}

sub release_hold_call
{
	my ($c, $owned) = @_;
	my ($event, $t) = split /:/, $owned;
	my $key = key($c);
	return {
		name => 'release_hold',
		run  => sub {
			my ($c) = @_;
			my $r = rows($c, 'SELECT outcome FROM ticketing.release_hold(?, ?, ?, idempotency_key => ?)',
				$event, $t, $c->{customer}, $key)->[0];
			commit($c);
			return [[ $event, $t, 'held', 'available', $key ]] if $r->{outcome} eq 'released';
			push @{ $c->{surprises} }, "release_hold($event, $t) of its live hold: $r->{outcome}";
			return [];
		}
	};
}

# Gives back a ticket the client owns (sold or held). Half of them without a key: a
# repeat after a lost commit answers not_owner when the lost attempt had released it.
sub release_call
{
	my ($c, $owned) = @_;
	return noop() unless defined $owned;
	my ($event, $t) = split /:/, $owned;
	my $from = $c->{owned}{$owned};
	my $key = rand() < 0.5 ? key($c) : undef;
	return {
		name => 'release_ticket',
		run  => sub {
			my ($c, $retry) = @_;
			my $r = rows($c, 'SELECT outcome FROM ticketing.release_ticket(?, ?, ?, idempotency_key => ?)',
				$event, $t, $c->{customer}, $key)->[0];
			commit($c);
			return [[ $event, $t, $from, 'available', $key ]]
			  if $r->{outcome} eq 'released' || ($retry && !$key && $r->{outcome} eq 'not_owner');
			push @{ $c->{surprises} }, "release_ticket($event, $t) of its own ticket: $r->{outcome}";
			return [];
		}
	};
}

# The seated event: two adjacent seats, a one-seat hold there, or one given seat.
sub seated_call
{
	my ($c) = @_;
	my $key = key($c);
	my $roll = rand();
	if ($roll < 0.4)
	{
		return {
			name => 'claim_any adjacent',
			run  => sub {
				my ($c) = @_;
				my $r = rows($c,
					'SELECT outcome, ticket_ids FROM ticketing.claim_any(?, ?, 2, adjacent => true, idempotency_key => ?)',
					SEATED, $c->{customer}, $key)->[0];
				commit($c);
				return [] unless $r->{outcome} eq 'claimed';
				return [ map { [ SEATED, $_, 'available', 'sold', $key ] } @{ $r->{ticket_ids} } ];
			}
		};
	}
	if ($roll < 0.7)
	{
		return {
			name => 'claim_any hold',
			run  => sub {
				my ($c) = @_;
				my $r = rows($c,
					q{SELECT outcome, ticket_ids FROM ticketing.claim_any(?, ?, 1, hold_for => interval '1 hour', idempotency_key => ?)},
					SEATED, $c->{customer}, $key)->[0];
				commit($c);
				return [] unless $r->{outcome} eq 'hold_placed';
				return [ map { [ SEATED, $_, 'available', 'held', $key ] } @{ $r->{ticket_ids} } ];
			}
		};
	}
	my $t = free_ticket($c, SEATED) // return noop();
	return { name => 'claim_ticket seated', run => single_claim(SEATED, $t, 'wait', $key) };
}

# Two unkeyed claims in one transaction: both or neither.
sub two_claims_call
{
	my ($c) = @_;
	my @ids = distinct_free($c, GA, 2);
	return noop() if @ids < 2;
	return {
		name => 'two claims',
		run  => sub {
			my ($c, $retry) = @_;
			my @changes;
			for my $t (@ids)
			{
				my $r = rows($c, 'SELECT outcome FROM ticketing.claim_ticket(?, ?, ?)', GA, $t, $c->{customer})->[0];
				push @changes, [ GA, $t, 'available', 'sold' ]
				  if $r->{outcome} eq 'claimed' || ($retry && $r->{outcome} eq 'already_owned');
			}
			commit($c);
			return \@changes;
		}
	};
}

# A claim that is rolled back: it must leave nothing.
sub rolled_back_call
{
	my ($c) = @_;
	my $t = free_ticket($c, GA) // return noop();
	return {
		name     => 'rolled back',
		no_retry => 1,
		run      => sub {
			my ($c) = @_;
			rows($c, 'SELECT outcome FROM ticketing.claim_ticket(?, ?, ?)', GA, $t, $c->{customer});
			$c->{dbh}->rollback or fail_with($c->{dbh}, 0);
			return [];
		}
	};
}

1;
