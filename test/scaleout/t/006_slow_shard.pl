# A slow shard (a trigger that sleeps 30 s in every sale there) behind pgbouncer and a
# router set up as docs/scale-out.md says (its sql: blocks, including the application
# role's statement_timeout on the router): every call to the slow shard ends at the router's
# bound with the router's own 57014, its statement on the shard is cancelled (nothing is
# sold there), and the healthy shard's calls, sharing the pool, all answer: in milliseconds
# while the pool has room, within about the router's bound when the slow shard's callers
# fill it. Also: PL/Proxy's query_timeout, the advice this replaces, does not bound a shard
# that says nothing.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/..";
use ScaleoutNodes;
use Test::More;
use IPC::Run;

my ($router, $shards) = start_cluster(2, mapping => 0);
my $db = 'shop';
sub r { return $router->safe_psql($db, shift); }

$_->safe_psql($db, doc_sql('shard-grants')) for @$shards;
r(doc_sql('router-mapping'));
r(doc_sql('router-app-grants'));
my ($bound) = doc_sql('router-app-grants') =~ /SET statement_timeout = '(\d+)s'/;
my ($backstop) = doc_sql('shard-grants') =~ /SET statement_timeout = '(\d+)s'/;
ok($bound && $backstop && $bound < $backstop,
	"the documented bounds: ${bound}s on the router, ${backstop}s on the shards");

my ($slow_e, $ok_e) = map { r("SELECT min(g) FROM generate_series(1, 100) g WHERE ticketing.shard_of(g, 2) = $_") } 1, 0;
r("SELECT ticketing.add_tickets(ticketing.create_event('slow', event_id => $slow_e), 500),
          ticketing.add_tickets(ticketing.create_event('healthy', event_id => $ok_e), 500)");
my $slow = $shards->[1];
$slow->safe_psql($db, q{
	CREATE TABLE public.slow (seconds double precision);
	INSERT INTO public.slow VALUES (30);
	CREATE FUNCTION public.sleep_first() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
	    PERFORM pg_catalog.pg_sleep((SELECT s.seconds FROM public.slow s));
	    RETURN NEW;
	END $$;
	CREATE TRIGGER sleep_first BEFORE UPDATE ON ticketing.tickets
	    FOR EACH ROW EXECUTE FUNCTION public.sleep_first();});

# Each call's answer (an outcome, or the SQLSTATE and message of its error) and how long it
# took inside the router.
r(q{CREATE TABLE public.answers (event_id bigint, outcome text, message text, ms double precision);
    GRANT INSERT ON public.answers TO shop_app;
    CREATE FUNCTION public.timed_claim(event bigint, ticket bigint, customer text) RETURNS void
    LANGUAGE plpgsql AS $$
    DECLARE
        started timestamptz := pg_catalog.clock_timestamp();
        answer text;
        message text;
    BEGIN
        BEGIN
            SELECT r.outcome INTO answer FROM ticketing.claim_ticket(event, ticket, customer, wait => '250ms') r;
        EXCEPTION WHEN OTHERS OR query_canceled THEN
            answer := SQLSTATE;
            message := SQLERRM;
        END;
        INSERT INTO public.answers
        VALUES (event, answer, message,
                pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - started) * 1000);
    END $$;
    GRANT EXECUTE ON FUNCTION public.timed_claim(bigint, bigint, text) TO shop_app;});

my $tmp = PostgreSQL::Test::Utils::tempdir();

# phase(NAME, POOL, SLOW_CALLERS): the slow shard's callers (3 calls each) and 4 healthy
# ones (50 calls each) at once through a new pgbouncer with a pool of POOL; returns the
# healthy calls' slowest latency in seconds, pgbouncer's queueing included (pgbench's log).
sub phase
{
	my ($name, $pool, $slow_callers) = @_;
	my ($dir, $port, $bouncer) = start_pgbouncer($router, $pool, 'postgres', 'shop_app');
	r("TRUNCATE public.answers");
	my @runs;
	for my $run ([ "$name-slow", $slow_callers, 3, $slow_e ], [ "$name-healthy", 4, 50, $ok_e ])
	{
		my ($label, $clients, $calls, $event) = @$run;
		# Each client its own tickets (40 of them), so that no call waits for another's lock.
		PostgreSQL::Test::Utils::append_to_file("$tmp/$label.sql",
			"\\set t 1 + :client_id * 40 + random(0, 39)\nSELECT public.timed_claim($event, :t, '$label-' || :client_id);\n");
		my ($out, $err) = ('', '');
		my $h = IPC::Run::start(
			[ 'pgbench', '-n', '-h', $dir, '-p', $port, '-U', 'shop_app', '-M', 'extended', '-c', $clients,
				'-j', 2, '-t', $calls, '-l', "--log-prefix=$tmp/$label", '-f', "$tmp/$label.sql", $db ],
			'>', \$out, '2>', \$err);
		push @runs, [ $label, $h, \$out, \$err ];
	}
	for my $run (@runs)
	{
		my ($label, $h, $out, $err) = @$run;
		$h->finish;
		is($? >> 8, 0, "$label: pgbench ran to the end") or diag($$out . $$err);
	}
	$bouncer->kill_kill;

	# Slow shard: every call ends at the router's bound, with the router's own statement
	# timeout (a shard's error would say REMOTE).
	my $slow_calls = $slow_callers * 3;
	is(r("SELECT count(*) || ' ' || string_agg(DISTINCT outcome, ',') FROM public.answers WHERE event_id = $slow_e"),
		"$slow_calls 57014", "$name: all $slow_calls calls to the slow shard failed with 57014");
	is(r("SELECT count(*) FROM public.answers WHERE event_id = $slow_e
	       AND message IS DISTINCT FROM 'canceling statement due to statement timeout'"),
		0, "$name: each with the router's own statement timeout");
	my $slowest = r("SELECT round(max(ms)) FROM public.answers WHERE event_id = $slow_e");
	cmp_ok($slowest, '<', ($bound + $backstop) / 2 * 1000,
		"$name: the slowest ended after $slowest ms: the router's ${bound}s bound, not the shard's ${backstop}s or the trigger's 30 s");
	# Healthy shard: every call answered with an outcome.
	is(r("SELECT count(*) FROM public.answers WHERE event_id = $ok_e
	       AND outcome IN ('claimed', 'already_sold', 'already_owned', 'busy')"), 200,
		"$name: all 200 calls to the healthy shard answered with an outcome");
	note("$name: healthy calls inside the router: "
		  . r("SELECT 'avg ' || round(avg(ms)::numeric, 2) || ' ms, max ' || round(max(ms)::numeric, 2) || ' ms'
	             FROM public.answers WHERE event_id = $ok_e"));
	my $max_us = 0;
	for my $file (glob "$tmp/$name-healthy.*")
	{
		for (split /\n/, PostgreSQL::Test::Utils::slurp_file($file))
		{
			my @f = split / /;
			$max_us = $f[2] if $f[2] > $max_us;
		}
	}
	return $max_us / 1e6;
}

# 1. The pool has room beside the slow shard's callers: the healthy shard's calls never wait
# for a slot (a sanity bound far above their milliseconds, far below the slow calls' time).
my $slowest = phase('room', 12, 6);
cmp_ok($slowest, '<', $bound / 2, sprintf('room: the slowest healthy call took %.3f s', $slowest));
# 2. The slow shard's callers fill the pool: a healthy call waits for a slot, which the
# router's bound frees; so it waits about that bound at most.
$slowest = phase('full', 6, 6);
cmp_ok($slowest, '<', ($bound + $backstop) / 2,
	sprintf('full: the slowest healthy call took %.3f s, about the router\'s bound', $slowest));

# Each slow call's statement on the shard was cancelled by the router (PL/Proxy sends a
# cancel request when the router's timeout interrupts it), none by the shard's backstop,
# and nothing was sold there; each sale of the healthy shard is a claimed answer.
my $log = PostgreSQL::Test::Utils::slurp_file($slow->logfile);
my $cancelled = () = $log =~ /ERROR:  canceling statement due to user request/g;
my $timed_out = () = $log =~ /ERROR:  canceling statement due to statement timeout/g;
is("$cancelled $timed_out", '36 0',
	'on the slow shard, each statement was cancelled by the router, none ran into the backstop');
is($slow->safe_psql($db, "SELECT count(*) FROM ticketing.tickets WHERE status <> 'available'")
	  . ' ' . $slow->safe_psql($db, "SELECT count(*) FROM ticketing.audit_log"),
	'0 0', 'nothing was sold on the slow shard');
is($shards->[0]->safe_psql($db, "SELECT count(*) FROM ticketing.audit_log WHERE to_status = 'sold'"),
	$shards->[0]->safe_psql($db, "SELECT count(*) FROM ticketing.tickets WHERE status = 'sold'"),
	'the healthy shard sold, each sale audited');

# The advice this replaces: PL/Proxy's query_timeout (1 s here) does not stop a shard that
# takes 3 s without a word; the call waits for it, and sells.
$slow->safe_psql($db, "UPDATE public.slow SET seconds = 3");
r("ALTER SERVER ticketing_shards OPTIONS (ADD query_timeout '1')");
r("TRUNCATE public.answers");
r("SELECT public.timed_claim($slow_e, 1, 'patient')");
my ($outcome, $ms) = split /\|/, r("SELECT outcome, round(ms) FROM public.answers");
is($outcome, 'claimed', 'with query_timeout = 1 and no statement_timeout, a 3 s call to a silent shard sells');
cmp_ok($ms, '>=', 2900, "after $ms ms: query_timeout did not fire");
r("ALTER SERVER ticketing_shards OPTIONS (DROP query_timeout)");

done_testing();
