# expire_holds() on a schedule with pg_cron (Debian's postgresql-15-cron), as
# docs/operations.md says to set it up: pg_cron preloaded, cron.database_name the shop's
# database, cron.use_background_workers on, and the job scheduled by a role that has
# only USAGE on schema ticketing and EXECUTE on ticketing.expire_holds(bigint).
#
# A cart with a short lifetime holds seats, plain holds with a short hold_for hold
# others, and two overlapping quotas cover them (one of them full). Nobody claims
# afterwards, so nothing reclaims them lazily: only the job can. The test waits (polling,
# up to a deadline) until the seats are available again and every quota's units are back
# in its stripes, and then checks that a succeeded run of the job wrote the audit rows
# that returned them, that the cart answers cart_expired, that a quota that was full
# sells again, and that verify() is clean.
#
# It also pins what the README's grants give: the application role (exactly the
# README's block, no expire_holds) can schedule a job but every run of it fails with
# permission denied, so the docs schedule it as a role of its own (or the owner).
#
# pg_cron before 1.5 (Debian 12 ships 1.4.2) knows only cron syntax, so the job runs at
# the start of every minute ('* * * * *'): this test waits up to about a minute and a half
# for it. With 1.5 or later it schedules '5 seconds'.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use TicketingNode;

# The database first, then pg_cron (its launcher connects to cron.database_name).
my $node = ticketing_node('cron');
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE shop');
$node->append_conf('postgresql.conf', <<'EOF');
shared_preload_libraries = 'pg_cron'
cron.database_name = 'shop'
cron.use_background_workers = on
max_worker_processes = 16
track_functions = all
EOF
$node->restart;

# The extensions, the README's application role (its grants block, verbatim), and the
# role the docs schedule expire_holds() as.
$node->safe_psql('shop', q{
	CREATE EXTENSION pg_cron;
	CREATE EXTENSION ticketing;
	CREATE ROLE shop_app LOGIN;
	GRANT USAGE ON SCHEMA ticketing TO shop_app;
	GRANT EXECUTE ON FUNCTION
	    ticketing.claim_ticket(bigint, bigint, text, text, text),
	    ticketing.release_ticket(bigint, bigint, text, text),
	    ticketing.hold_ticket(bigint, bigint, text, interval, text, text, text),
	    ticketing.confirm_hold(bigint, bigint, text, text),
	    ticketing.release_hold(bigint, bigint, text, text),
	    ticketing.claim_tickets(bigint, bigint[], text, text, interval, text, text),
	    ticketing.claim_any(bigint, text, integer, text, text, boolean, interval, text, text, text),
	    ticketing.claim_batch(bigint, ticketing.claim_request[]),
	    ticketing.claim_batch(bigint, ticketing.batch_request[]),
	    ticketing.open_cart(bigint, text, interval),
	    ticketing.extend_cart(bigint, text, text, interval),
	    ticketing.checkout_cart(bigint, text, text, text),
	    ticketing.abandon_cart(bigint, text, text, text),
	    ticketing.cart_contents(bigint, text, text),
	    ticketing.event_summary(bigint),
	    ticketing.category_summary(bigint),
	    ticketing.quota_summary(bigint)
	  TO shop_app;
	CREATE ROLE ticketing_cron LOGIN;
	GRANT USAGE ON SCHEMA ticketing TO ticketing_cron;
	GRANT EXECUTE ON FUNCTION ticketing.expire_holds(bigint) TO ticketing_cron;
	GRANT USAGE ON SCHEMA cron TO ticketing_cron, shop_app;
});
my $cron_version = $node->safe_psql('shop',
	"SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'");
my ($major, $minor) = $cron_version =~ /^(\d+)\.(\d+)/;
my $schedule = ($major > 1 || ($major == 1 && $minor >= 5)) ? '5 seconds' : '* * * * *';
diag "pg_cron $cron_version: schedule '$schedule'";

# The event: categories A and B under quota AB (7 units), B and C under quota BC
# (4 units). The application role sells and holds, as a shop would.
$node->safe_psql('shop', q{
	SELECT ticketing.create_event('cron', event_id => 1);
	SELECT ticketing.add_tickets(1, 20, seat_prefix => 'A-', category => 'A');
	SELECT ticketing.add_tickets(1, 20, seat_prefix => 'B-', category => 'B');
	SELECT ticketing.add_tickets(1, 20, seat_prefix => 'C-', category => 'C');
	SELECT ticketing.create_quota(1, 'AB', 7, ARRAY['A', 'B'], stripes => 4);
	SELECT ticketing.create_quota(1, 'BC', 4, ARRAY['B', 'C'], stripes => 4);
});
my $cart = $node->safe_psql('shop', q{
	SET ROLE shop_app;
	SELECT token FROM ticketing.open_cart(1, 'eve', expires_in => '10 seconds');
});
like($cart, qr/^[A-Za-z0-9_-]{32}$/, 'the application role opened a cart');
# Named seats first, then any seat of a category (which may pick any unsold one).
my $placed = $node->safe_psql('shop', qq{
	SET ROLE shop_app;
	SELECT string_agg(outcome, ',' ORDER BY n) FROM (
	    SELECT 1, outcome FROM ticketing.hold_ticket(1, 1, 'eve', cart => '$cart')
	    UNION ALL
	    SELECT 2, outcome FROM ticketing.hold_ticket(1, 21, 'eve', cart => '$cart')
	    UNION ALL
	    SELECT 3, outcome FROM ticketing.hold_ticket(1, 2, 'bob', hold_for => '10 seconds')
	    UNION ALL
	    SELECT 4, outcome FROM ticketing.claim_ticket(1, 3, 'dave')
	    UNION ALL
	    SELECT 5, outcome FROM ticketing.claim_any(1, 'eve', 2, category => 'C', cart => '$cart')
	    UNION ALL
	    SELECT 6, outcome FROM ticketing.claim_any(1, 'carol', 1, category => 'A',
	                                               hold_for => '10 seconds')
	    UNION ALL
	    SELECT 7, outcome FROM ticketing.claim_any(1, 'fay', 2, category => 'A')) r(n, outcome);
});
is($placed, 'hold_placed,hold_placed,hold_placed,claimed,hold_placed,hold_placed,claimed',
	'a cart of 4 seats, 2 plain holds and 3 sales placed');
# AB: 2 (cart) + 2 holds + 3 sold = 7 of 7; BC: 3 (cart) = 3 of 4.
my $quota_state = q{
	SELECT string_agg(q.name || ' ' || u.taken || ' taken ' || u.remaining || ' left', ', '
	                  ORDER BY q.name)
	  FROM ticketing.quotas q, LATERAL ticketing.quota_usage(q.event_id, q.quota_id) u
	 WHERE q.event_id = 1};
is($node->safe_psql('shop', $quota_state), 'AB 7 taken 0 left, BC 3 taken 1 left',
	'the holds and sales took their quota units');
is($node->safe_psql('shop', q{
	SET ROLE shop_app;
	SELECT outcome || ' ' || coalesce(quota, '') FROM ticketing.claim_any(1, 'gus', category => 'A')}),
	'quota_exhausted AB', 'quota AB is full while the holds are live');

# Let every hold lapse before the job exists: until it runs, they hold their units (the
# summaries already count lapsed holds as available, the stripes do not).
my $held_until = $node->safe_psql('shop',
	"SELECT extract(epoch FROM max(hold_expires_at)) FROM ticketing.tickets WHERE status = 'held'");
sleep(0.2) while time() < $held_until + 0.5;
is($node->safe_psql('shop',
	"SELECT count(*) FROM ticketing.tickets WHERE event_id = 1 AND status = 'held' AND hold_expires_at < now()"),
	'6', 'six lapsed holds, still held in the table');
is($node->safe_psql('shop', $quota_state), 'AB 7 taken 0 left, BC 3 taken 1 left',
	'lapsed holds keep their units until something returns them');

# The jobs: the application role's (the README's grants: no expire_holds) and the
# maintenance role's.
my $app_job = $node->safe_psql('shop', qq{
	SET ROLE shop_app;
	SELECT cron.schedule('ticketing-expire-as-app', '$schedule', 'SELECT ticketing.expire_holds()')});
my $job = $node->safe_psql('shop', qq{
	SET ROLE ticketing_cron;
	SELECT cron.schedule('ticketing-expire', '$schedule', 'SELECT ticketing.expire_holds()')});
my $scheduled_at = time();
is($node->safe_psql('shop', "SELECT username FROM cron.job WHERE jobid = $job"),
	'ticketing_cron', 'the job runs as ticketing_cron');

# Wait for the job: no ticket held, every unit of the quotas back but the 3 sold ones.
my $returned = q{
	SELECT (SELECT count(*) FROM ticketing.tickets WHERE event_id = 1 AND status = 'held') = 0
	   AND (SELECT string_agg(q.name || ' ' || u.taken || '/' || u.remaining, ',' ORDER BY q.name)
	          FROM ticketing.quotas q, LATERAL ticketing.quota_usage(q.event_id, q.quota_id) u
	         WHERE q.event_id = 1) = 'AB 3/4,BC 0/4'};
my $deadline = time() + 150;
my $done = 0;
while (time() < $deadline)
{
	last if ($done = $node->safe_psql('shop', $returned) eq 't');
	sleep(1);
}
ok($done, 'the job returned every lapsed hold and its quota units');
diag sprintf('returned %.0f s after scheduling', time() - $scheduled_at) if $done;

# The launcher records a run's end after the run's transaction has committed: wait
# until no run of the job is starting or running.
my $running = qq{
	SELECT count(*) FROM cron.job_run_details
	 WHERE jobid = $job AND status IN ('starting', 'running')};
$deadline = time() + 30;
sleep(0.5) while $node->safe_psql('shop', $running) ne '0' && time() < $deadline;

# The return was the job's work: the audit rows that took the holds back were written
# by a run of it, the latest one begun by then, and it succeeded; and the server counted
# calls of expire_holds() (track_functions), which nothing but the jobs makes here.
# pg_cron's start_time is no exact bound: a run's transaction (whose now() the audit rows
# carry) once began 0.1 ms before the start_time recorded for it, and its end time can
# precede the commit. Runs of the job are a minute apart, so a second's slack cannot
# take another run for it.
is($node->safe_psql('shop', qq{
	SELECT count(*) FROM ticketing.audit_log a
	 WHERE a.event_id = 1 AND a.from_status = 'held' AND a.to_status = 'available'
	   AND (SELECT d.status FROM cron.job_run_details d
	         WHERE d.jobid = $job AND d.start_time <= a.at + interval '1 second'
	         ORDER BY d.start_time DESC LIMIT 1) = 'succeeded'}),
	'6', 'the six holds were returned in a succeeded run of the job (audit rows)')
  or diag $node->safe_psql('shop', qq{
	SELECT 'audit ' || at FROM ticketing.audit_log WHERE to_status = 'available'
	UNION ALL
	SELECT 'run ' || jobid || ' ' || status || ' ' || start_time || ' - ' || coalesce(end_time::text, '?')
	  FROM cron.job_run_details});
my $calls = q{
	SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions
	 WHERE schemaname = 'ticketing' AND funcname = 'expire_holds'};
$deadline = time() + 30;
sleep(0.5) while $node->safe_psql('shop', $calls) eq '0' && time() < $deadline;
cmp_ok($node->safe_psql('shop', $calls), '>=', 1,
	'pg_stat_user_functions counts the calls of expire_holds() the job made');
is($node->safe_psql('shop', qq{
	SELECT count(*) > 0 AND bool_and(status = 'succeeded' AND username = 'ticketing_cron'
	                                 AND database = 'shop')
	  FROM cron.job_run_details WHERE jobid = $job AND status <> 'running'}),
	't', 'cron.job_run_details: every finished run of the job succeeded');

# What the application and the DBA see now.
is($node->safe_psql('shop', q{
	SELECT string_agg(quota || ' ' || sold || ' sold ' || held || ' held ' || available || ' available', ', '
	                  ORDER BY quota)
	  FROM ticketing.quota_summary(1)}),
	'AB 3 sold 0 held 4 available, BC 0 sold 0 held 4 available', 'quota_summary');
is($node->safe_psql('shop', q{
	SELECT string_agg(category || ' ' || available || '/' || held || '/' || sold, ', ' ORDER BY category)
	  FROM ticketing.category_summary(1)}),
	'A 17/0/3, B 20/0/0, C 20/0/0', 'category_summary: available/held/sold');
is($node->safe_psql('shop', qq{
	SET ROLE shop_app;
	SELECT outcome || ' ' || array_length(ticket_ids, 1) FROM ticketing.cart_contents(1, '$cart', 'eve')}),
	'cart_expired 4', 'the cart answers cart_expired');
is($node->safe_psql('shop', qq{
	SET ROLE shop_app;
	SELECT outcome FROM ticketing.checkout_cart(1, '$cart', 'eve')}),
	'cart_expired', 'its checkout sells nothing');
is($node->safe_psql('shop', q{
	SET ROLE shop_app;
	SELECT outcome FROM ticketing.claim_any(1, 'gus', category => 'A')}),
	'claimed', 'quota AB sells again');
is($node->safe_psql('shop', 'SELECT count(*) FROM ticketing.verify()'), '0', 'verify() is clean');

# The application role's job: it can be scheduled, and every run fails for want of
# EXECUTE on expire_holds (the README's grants are for selling, not for this).
$deadline = time() + 150;
my $app_runs = '';
while (time() < $deadline)
{
	$app_runs = $node->safe_psql('shop',
		"SELECT status || ': ' || return_message FROM cron.job_run_details
		  WHERE jobid = $app_job AND status <> 'running' ORDER BY runid LIMIT 1");
	last if $app_runs ne '';
	sleep(1);
}
like($app_runs, qr/^failed: ERROR:\s+permission denied for function expire_holds/,
	"a job scheduled by the application role fails: it lacks EXECUTE on expire_holds");
is($node->safe_psql('shop', qq{
	SELECT count(*) FROM cron.job_run_details WHERE jobid = $app_job AND status = 'succeeded'}),
	'0', 'none of its runs succeeded');

$node->safe_psql('shop', qq{SELECT cron.unschedule($job), cron.unschedule($app_job)});
my $log = slurp_file($node->logfile);
is(join("\n", crash_lines($log)), '', 'no crash, PANIC or assertion in the server log');
$node->stop;
done_testing();
