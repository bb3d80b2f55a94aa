# Fuzzing: sqlsmith for SQLSMITH_SECONDS (120; RELIABILITY_LONG=1 gives 600) against a
# database with the extension and populated events, as a role that may call every
# function of the extension and read its tables (sqlsmith builds its expressions from
# those columns, so many calls get real event ids, ticket ids and customers) but not
# write the tables directly. sqlsmith loads routines from every schema and writes them
# schema-qualified (ticketing.claim_ticket(...)); --exclude-catalog keeps the catalog
# tables out of its FROM clauses. Stock sqlsmith picks among ~3,000 routines, so about
# one call in 150 would be the extension's; the fuzz role's search_path starts with a
# schema whose view pg_proc shadows the catalog for sqlsmith's unqualified catalog
# queries, lists each of the extension's functions SQLSMITH_WEIGHT (40) more times
# under spare oids, so that about a fifth of its calls are the extension's, and leaves
# out the catalog's polymorphic functions (SQLSMITH_WEIGHT=0: stock sqlsmith). Any backend crash, or any XX000 raised in the
# extension, fails the run; afterwards verify() is empty and amcheck is clean. The
# figures: queries run, queries naming the extension's functions, calls that returned
# (pg_stat_user_functions) and calls that raised an error inside the extension (the
# server log's LOCATION in its C++ sources, or a CONTEXT inside its functions or
# statements).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use IPC::Run ();
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use TicketingNode;

my $seconds = $ENV{SQLSMITH_SECONDS} // 120;
my $seed = $ENV{SQLSMITH_SEED} // int(rand(1_000_000));
my $weight = $ENV{SQLSMITH_WEIGHT} // 40;
note "sqlsmith seed $seed (SQLSMITH_SEED=$seed repeats the first run's queries)";

# Preloaded, as in production (the counters in shared memory are fuzzed too).
# $libdir/ticketing rather than ticketing: with extension_destdir (development) a bare
# name would preload the system's copy and CREATE EXTENSION would load the private one.
my $node = ticketing_node('fuzz', conf => <<'EOF');
shared_preload_libraries = '$libdir/ticketing'
track_functions = 'all'
log_min_error_statement = error
EOF
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE fuzz');
$node->safe_psql('fuzz', q{
	CREATE EXTENSION ticketing;
	CREATE EXTENSION amcheck;
	SELECT ticketing.create_event('fuzz: general admission', event_id => 1);
	SELECT ticketing.add_tickets(1, 300);
	SELECT ticketing.create_event('fuzz: seated', per_customer_limit => 4, event_id => 2);
	SELECT ticketing.add_tickets(2, ARRAY(SELECT format('A-%s-%s', r, n)
	                                        FROM generate_series(1, 5) r, generate_series(1, 10) n
	                                       ORDER BY r, n));
	SELECT ticketing.create_event('fuzz: holds', event_id => 3);
	SELECT ticketing.add_tickets(3, 100);
	SELECT count(*) FROM (SELECT ticketing.claim_ticket(1, n, 'cust-' || n % 9, idempotency_key => 'k-' || n)
	                        FROM generate_series(1, 120) n) s;
	SELECT count(*) FROM (SELECT ticketing.release_ticket(1, n, 'cust-' || n % 9)
	                        FROM generate_series(1, 120, 4) n) s;
	SELECT count(*) FROM (SELECT ticketing.hold_ticket(3, n, 'cust-' || n % 5, interval '1 day')
	                        FROM generate_series(1, 30) n) s;
	SELECT count(*) FROM (SELECT ticketing.claim_any(2, 'cust-' || n, 2, adjacent => true)
	                        FROM generate_series(1, 8) n) s;
	CREATE ROLE fuzz_app LOGIN;
	GRANT USAGE ON SCHEMA ticketing TO fuzz_app;
	GRANT SELECT ON ALL TABLES IN SCHEMA ticketing TO fuzz_app;
	GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ticketing TO fuzz_app;
});
if ($weight > 0)
{
	# Only the columns sqlsmith's loader reads (its queries say "from pg_proc"). The
	# catalog's polymorphic functions are left out: sqlsmith resolves their argument
	# types wrongly most of the time, and the query fails before it runs. Functions
	# without arguments (reset_stats) are not repeated.
	$node->safe_psql('fuzz', qq{
		CREATE SCHEMA fuzz_catalog;
		CREATE VIEW fuzz_catalog.pg_proc AS
		SELECT p.oid, p.proname, p.pronamespace, p.prorettype, p.proretset, p.prokind, p.proargtypes
		  FROM pg_catalog.pg_proc p
		 WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_type t
		                    WHERE t.typtype = 'p' AND t.oid = ANY (p.proargtypes::oid[] || p.prorettype))
		UNION ALL
		SELECT (3000000000 + k * 100000 + p.oid::bigint)::text::oid, p.proname, p.pronamespace,
		       p.prorettype, p.proretset, p.prokind, p.proargtypes
		  FROM pg_catalog.pg_proc p, generate_series(1, $weight) k
		 WHERE p.pronamespace = 'ticketing'::regnamespace AND p.pronargs > 0;
		GRANT USAGE ON SCHEMA fuzz_catalog TO fuzz_app;
		GRANT SELECT ON fuzz_catalog.pg_proc TO fuzz_app;
		ALTER ROLE fuzz_app SET search_path = fuzz_catalog, pg_catalog;
	});
}
# Calls made so far (the set-up's) are not the fuzzer's.
my $calls_before = $node->safe_psql('fuzz',
	q{SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE schemaname = 'ticketing'});
$node->safe_psql('fuzz', q{
	CREATE TABLE public.calls_before AS
	SELECT funcid, calls FROM pg_stat_user_functions WHERE schemaname = 'ticketing'});
my @functions = split /\n/, $node->safe_psql('fuzz',
	q{SELECT DISTINCT proname FROM pg_proc WHERE pronamespace = 'ticketing'::regnamespace ORDER BY 1});
my $function_names = join('|', @functions);
my $offset = -s $node->logfile;

# Runs sqlsmith until the time is up (again, with the next seed, if it stops early),
# counting the queries it prints and those that name a function of the extension.
my %named;
my ($queries, $naming, $runs) = (0, 0, 0);
my $carry = '';
my $count_queries = sub {
	$carry .= $_[0];
	my @parts = split /;\n/, $carry, -1;
	$carry = pop @parts;
	for my $query (@parts)
	{
		$queries++;
		my %in = map { $_ => 1 } $query =~ /\bticketing\.($function_names)\(/g;
		$naming++ if %in;
		$named{$_}++ for keys %in;
	}
};
my $target = sprintf('host=%s port=%d dbname=fuzz user=fuzz_app', $node->host, $node->port);
my $end = time() + $seconds;
my $stderr = '';
while (time() < $end - 1)
{
	my $left = int($end - time());
	my $err = '';
	IPC::Run::run(
		[ 'timeout', '-s', 'INT', $left, 'sqlsmith', "--target=$target", '--seed=' . ($seed + $runs),
		  '--verbose', '--exclude-catalog', '--dump-all-queries' ],
		'>', $count_queries, '2>', \$err);
	$runs++;
	$stderr = $err;
}
my @reports = $stderr =~ /^(queries: \d+.*)$/mg;
note 'sqlsmith: ' . ($reports[-1] // 'no report') . ", $runs run(s)";

my $log = slurp_file($node->logfile, $offset);
my @crashes = crash_lines($log);
is(join("\n", @crashes), '', 'no backend crashed');
if (@crashes)
{
	my @running = $log =~ /Failed process was running: (.*)$/mg;
	diag("crashing query: $_") for @running;
}

my @entries = error_entries($log);
sub in_extension
{
	my ($text) = @_;
	return $text =~ /LOCATION:\s+\S+, \S+\.(?:cpp|hpp):\d+/
	  || $text =~ /CONTEXT:.*(?:ticketing\.|SQL function "(?:$function_names)")/;
}
my @reached = grep { in_extension($_->{text}) } @entries;
my @internal = grep { $_->{state} eq 'XX000' } @reached;
is(join("\n\n", map { $_->{text} } @internal[0 .. ($#internal < 4 ? $#internal : 4)]), '',
	'no XX000 raised in the extension (' . scalar(@internal) . ')');
my @other_internal = grep { $_->{state} eq 'XX000' && !in_extension($_->{text}) } @entries;
# Reported, not failed: PostgreSQL's own internal errors under random SQL.
diag('XX000 from PostgreSQL itself, outside the extension: ' . scalar(@other_internal)
	  . join('', map { "\n" . substr($_->{text}, 0, 400) } @other_internal[0 .. ($#other_internal < 2 ? $#other_internal : 2)]))
  if @other_internal;

sleep 1;    # the last backend's function statistics reach the collector when it exits
my $returned = $node->safe_psql('fuzz',
	q{SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE schemaname = 'ticketing'})
  - $calls_before;
my $by_function = $node->safe_psql('fuzz', q{
	SELECT string_agg(funcname || ' ' || calls, ', ' ORDER BY calls DESC, funcname)
	  FROM (SELECT s.funcname, sum(s.calls - coalesce(b.calls, 0)) AS calls
	          FROM pg_stat_user_functions s LEFT JOIN public.calls_before b USING (funcid)
	         WHERE s.schemaname = 'ticketing' GROUP BY s.funcname) f
	 WHERE calls > 0});
my %states;
$states{ $_->{state} }++ for @reached;
my $errors = join(', ', map { "$_ $states{$_}" } sort { $states{$b} <=> $states{$a} || $a cmp $b } keys %states);

ok($queries > 100, "sqlsmith ran queries ($queries)");
ok($naming > 0, "some of them called the extension's functions ($naming)");
ok($returned + @reached > 0,
	"calls reached the extension: $returned returned, " . scalar(@reached) . ' raised an error inside it');
is($node->safe_psql('fuzz', 'SELECT * FROM ticketing.verify()'), '', 'verify() is empty after the fuzzing');
my ($checked, @problems) = amcheck_problems($node, 'fuzz');
is(join("\n", @problems), '', "amcheck clean on $checked indexes and tables");

diag(sprintf(
	'sqlsmith: %d s, seed %d, weight %d, %d run(s), %d queries, %d naming the extension\'s functions (%s); '
	  . 'calls that reached the extension: %d returned (%s), %d raised an error inside it (%s); '
	  . 'crashes: %d; XX000 in the extension: %d',
	$seconds, $seed, $weight, $runs, $queries, $naming,
	join(', ', map { "$_ $named{$_}" } sort { $named{$b} <=> $named{$a} || $a cmp $b } keys %named),
	$returned, $by_function || 'none', scalar(@reached), $errors || 'none',
	scalar(@crashes), scalar(@internal)));

$node->stop;
done_testing();
