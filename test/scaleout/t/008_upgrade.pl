# ALTER EXTENSION ticketing_router UPDATE from 1.2 (installed from ticketing_router--1.2.sql)
# gives exactly what a fresh install of the current version has: every function (body,
# language, SECURITY DEFINER, settings, owner, privileges), type, view and sequence, and
# no more; grants a DBA gave on the old functions are kept, also on event_summaries(),
# whose result changes, and on the calls whose signature grows in 1.3 (a cart, a
# category); a superuser other than the owner can run it and the functions still share
# the owner. The updated router routes, the new calls too. The order of the update: a 1.3
# router's call on a shard still at 1.2 fails before it runs there (nothing sold), while a
# 1.2 router's call on a 1.3 shard sells there and then fails on the router (PL/Proxy
# refuses the row, which has one more column): update the routers first.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/..";
use ScaleoutNodes;
use Test::More;

my ($router, $shards) = start_cluster(2, router_version => '1.2', shard_version => '1.2');
my $db = 'shop';
sub r { return $router->safe_psql($db, shift); }
sub on_shard { my ($i, $sql) = @_; return $shards->[$i]->safe_psql($db, $sql); }
my $current = r("SELECT default_version FROM pg_available_extensions WHERE name = 'ticketing_router'");

is(r("SELECT extversion FROM pg_extension WHERE extname = 'ticketing_router'"), '1.2', 'the router starts at 1.2');
is(on_shard(0, "SELECT extversion FROM pg_extension WHERE extname = 'ticketing'"), '1.2', 'and its shards');
r("SELECT ticketing.add_tickets(ticketing.create_event('before'), 10) FROM generate_series(1, 8)");
# An event of each shard other than event 1, whose sales are counted below.
my ($e0, $e1) = map { r("SELECT min(e) FROM generate_series(2, 8) e WHERE ticketing.shard_of(e) = $_") } 0, 1;
is(r("SELECT outcome FROM ticketing.claim_ticket(1, 1, 'early')"), 'claimed', 'and routes');

# Shard 0 updated before the router: the 1.2 router's call sells there, then fails.
on_shard(0, 'ALTER EXTENSION ticketing UPDATE');
my ($state, $message) = psql_error($router, "SELECT * FROM ticketing.claim_ticket($e0, 5, 'too-early')");
like($message, qr/too many fields/, 'a 1.2 router on a 1.3 shard: the call fails on the router');
is(on_shard(0, "SELECT status || ' ' || owner FROM ticketing.tickets WHERE event_id = $e0 AND ticket_id = 5"),
	'sold too-early', 'after the shard sold the ticket (so the routers go first)');
r("CREATE ROLE monitor; CREATE ROLE app;
   GRANT USAGE ON SCHEMA ticketing TO monitor, app;
   GRANT EXECUTE ON FUNCTION ticketing.event_summaries(), ticketing.cluster_status() TO monitor;
   GRANT EXECUTE ON FUNCTION ticketing.claim_ticket(bigint, bigint, text, text, text) TO app WITH GRANT OPTION;
   GRANT EXECUTE ON FUNCTION ticketing.hold_ticket(bigint, bigint, text, interval, text, text),
                             ticketing.claim_tickets(bigint, bigint[], text, text, interval, text),
                             ticketing.claim_any(bigint, text, integer, text, text, boolean, interval, text) TO app;
   GRANT EXECUTE ON FUNCTION ticketing.add_tickets(bigint, integer, text) TO monitor WITH GRANT OPTION;
   GRANT EXECUTE ON FUNCTION ticketing.add_tickets(bigint, text[]) TO monitor;");

r("ALTER EXTENSION ticketing_router UPDATE");
is(r("SELECT extversion FROM pg_extension WHERE extname = 'ticketing_router'"), $current, "updated to $current");

# Shard 1 is still at 1.2: the 1.3 router's calls that answer 1.3's results fail there
# before they run, and sell nothing; the others work.
($state, $message) = psql_error($router, "SELECT * FROM ticketing.claim_ticket($e1, 5, 'in-the-gap')");
like($message, qr/column r\.quota does not exist/, 'a 1.3 router on a 1.2 shard: the call fails');
is(on_shard(1, "SELECT status FROM ticketing.tickets WHERE event_id = $e1 AND ticket_id = 5"), 'available',
	'before it ran: nothing sold');
is(r("SELECT sold FROM ticketing.event_summary($e1)"), 0, 'event_summary still answers');
on_shard(1, 'ALTER EXTENSION ticketing UPDATE');
is(r("SELECT outcome FROM ticketing.claim_ticket($e1, 5, 'after-the-gap')"), 'claimed', 'and once shard 1 is updated, it sells');
is(r("SELECT has_function_privilege('monitor', 'ticketing.event_summaries()', 'EXECUTE')
          || ' ' || has_function_privilege('monitor', 'ticketing.cluster_status()', 'EXECUTE')
          || ' ' || has_function_privilege('app', 'ticketing.claim_ticket(bigint, bigint, text, text, text)', 'EXECUTE WITH GRANT OPTION')
          || ' ' || has_function_privilege('app', 'ticketing.event_summaries()', 'EXECUTE')"),
	'true true true false', 'the grants given on the 1.2 functions are kept, event_summaries() included');
is(r("SELECT has_function_privilege('app', 'ticketing.hold_ticket(bigint, bigint, text, interval, text, text, text)', 'EXECUTE')
          || ' ' || has_function_privilege('app', 'ticketing.claim_tickets(bigint, bigint[], text, text, interval, text, text)', 'EXECUTE')
          || ' ' || has_function_privilege('app', 'ticketing.claim_any(bigint, text, integer, text, text, boolean, interval, text, text, text)', 'EXECUTE')
          || ' ' || has_function_privilege('monitor', 'ticketing.add_tickets(bigint, integer, text, text)', 'EXECUTE WITH GRANT OPTION')
          || ' ' || has_function_privilege('monitor', 'ticketing.add_tickets(bigint, text[], text)', 'EXECUTE')
          || ' ' || has_function_privilege('app', 'ticketing.open_cart(bigint, text, interval)', 'EXECUTE')"),
	'true true true true true false', 'and on the new signatures of the calls whose signature grows (nothing more)');
is(r("SELECT count(*) FROM pg_proc WHERE pronamespace = 'ticketing'::regnamespace
        AND proname IN ('hold_ticket', 'claim_tickets', 'claim_any', 'add_tickets')"), 5,
	'the old signatures are gone');
r("REVOKE ALL ON FUNCTION ticketing.event_summaries(), ticketing.cluster_status() FROM monitor;
   REVOKE ALL ON FUNCTION ticketing.claim_ticket(bigint, bigint, text, text, text) FROM app CASCADE;
   REVOKE ALL ON FUNCTION ticketing.hold_ticket(bigint, bigint, text, interval, text, text, text),
                          ticketing.claim_tickets(bigint, bigint[], text, text, interval, text, text),
                          ticketing.claim_any(bigint, text, integer, text, text, boolean, interval, text, text, text) FROM app;
   REVOKE ALL ON FUNCTION ticketing.add_tickets(bigint, integer, text, text),
                          ticketing.add_tickets(bigint, text[], text) FROM monitor CASCADE;");

# Every member of the extension, described from the catalogs.
my $describe = q{
SELECT pg_catalog.pg_describe_object(d.classid, d.objid, 0) || ': ' || coalesce(
         (SELECT pg_catalog.pg_get_functiondef(p.oid) || ' owned by the extension''s owner: '
                 || (p.proowner = x.extowner) || ', acl ' || coalesce(p.proacl::text, 'default')
            FROM pg_catalog.pg_proc p WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND p.oid = d.objid),
         (SELECT c.relkind::text || ' ' || coalesce(pg_catalog.pg_get_viewdef(c.oid), '')
                 || ' acl ' || coalesce(c.relacl::text, 'default') || ' columns '
                 || (SELECT pg_catalog.string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                       FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)
            FROM pg_catalog.pg_class c WHERE d.classid = 'pg_catalog.pg_class'::regclass AND c.oid = d.objid),
         (SELECT t.typtype::text || ' ' || coalesce(
                   (SELECT pg_catalog.string_agg(a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                      FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '')
            FROM pg_catalog.pg_type t WHERE d.classid = 'pg_catalog.pg_type'::regclass AND t.oid = d.objid),
         'other')
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_extension x ON d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = x.oid
 WHERE x.extname = 'ticketing_router' AND d.deptype = 'e'
 ORDER BY 1};
$router->safe_psql('postgres', 'CREATE DATABASE fresh');
$router->safe_psql('fresh', 'CREATE EXTENSION ticketing_router CASCADE');
my $updated = r($describe);
my $fresh = $router->safe_psql('fresh', $describe);
my $members = () = $fresh =~ /^[a-z]+ ticketing\./mg;
cmp_ok($members, '>', 40, "a fresh install has $members members");
is($updated, $fresh, 'the updated extension is the fresh one, member by member');

# Updated by another superuser: the new functions go to the extension's owner too.
$router->safe_psql('postgres', 'CREATE DATABASE other; CREATE ROLE dba2 SUPERUSER LOGIN');
$router->safe_psql('other', "CREATE EXTENSION ticketing_router VERSION '1.2' CASCADE");
$router->safe_psql('other', 'SET ROLE dba2; ALTER EXTENSION ticketing_router UPDATE');
is($router->safe_psql('other', $describe), $fresh, 'updated by another superuser: the same, owner included');

# The updated router at work, with its shards at the same version now.
is(r("SELECT count(*) FROM ticketing.cluster_status() WHERE problem IS NULL"), 2, 'cluster_status: both shards at its version');
is(r("SELECT outcome FROM ticketing.claim_ticket(1, 2, 'late', wait => '250ms')"), 'claimed', 'claims route');
is(r("SELECT event_id || ' ' || sold || ' ' || shard || ' ' || coalesce(problem, 'none') FROM ticketing.event_summaries() WHERE event_id = 1"),
	"1 2 " . r("SELECT ticketing.shard_of(1)") . " none", 'event_summaries() with its new columns');
like(error_of($router, "SELECT * FROM ticketing.claim_ticket(1, 3, '')"), qr/^22023\|customer must not be empty\|/,
	'bad input is refused on the router');
my $token = r("SELECT token FROM ticketing.open_cart(1, 'late')");
is(r("SELECT outcome FROM ticketing.hold_ticket(1, 3, 'late', cart => '$token')"), 'hold_placed', 'a hold into a cart routes');
is(r("SELECT outcome || ' ' || ticket_ids::text FROM ticketing.checkout_cart(1, '$token', 'late')"), 'claimed {3}',
	'and its checkout');
like(error_of($router, "SELECT * FROM ticketing.claim_any(1, 'late', category => '')"), qr/^22023\|category /,
	'a bad category is refused on the router');
# The waiting list of the updated router, on event 1's shard (updated from 1.2 with its data).
r("SELECT ticketing.open_waitlist(1)");
is(r("SELECT concat_ws(' ', outcome, cardinality(ticket_ids)) FROM ticketing.join_waitlist(1, 'waiter')"), 'offered 1',
	'join_waitlist routes: a free ticket is offered at once');
is(r("SELECT string_agg(customer, ',') FROM ticketing.pending_offers(1)"), 'waiter', 'pending_offers routes');
is(r("SELECT outcome FROM ticketing.leave_waitlist(1, 'waiter')"), 'left', 'leave_waitlist routes');
is(r("SELECT ticketing.close_waitlist(1)"), 0, 'close_waitlist routes');
is(r("SELECT count(*) FROM ticketing.verify()"), 0, 'verify() is clean');

done_testing();
