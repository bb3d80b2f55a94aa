# The schema-hijack attack of issue 11 is real, and sql/20_schema_hijack.sql would
# catch it: the same attacker's preparation (sql/include/schema_hijack_attack.sql)
# against the 1.1 install scripts from the repository's history makes the attacker
# superuser at the first sale by an ordinary application role; against the installed
# scripts, CREATE EXTENSION refuses the schema (42P15) and the attacker stays as it was.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Copy;
use File::Path qw(make_path);
use PostgreSQL::Test::Utils;
use Test::More;
use TicketingNode;

my $scripts = $ENV{TICKETING_OLD_SCRIPTS} // '';
plan skip_all => 'the 1.1 scripts are not available (run through run_reliability.sh in a git checkout)'
  unless -f "$scripts/ticketing--1.0--1.1.sql";
my $include = "$ENV{TICKETING_SQL_INCLUDE}/schema_hijack_attack.sql";

# A private install of 1.1: its control file and scripts, and the current library.
my $old = PostgreSQL::Test::Utils::tempdir('ticketing-1.1');
chomp(my $sharedir = `pg_config --sharedir`);
chomp(my $pkglibdir = `pg_config --pkglibdir`);
make_path("$old$sharedir/extension", "$old$pkglibdir");
copy("$scripts/$_", "$old$sharedir/extension/$_") or die "$_: $!"
  for qw(ticketing.control ticketing--1.0.sql ticketing--1.0--1.1.sql);
my $library = ($ENV{TICKETING_EXTENSION_DESTDIR} // '') . "$pkglibdir/ticketing.so";
copy($library, "$old$pkglibdir/ticketing.so") or die "$library: $!";

my $node = ticketing_node('hijack');
$node->start;

# The shop after CREATE EXTENSION: an event, and a first sale by an application role
# with the README's kind of grants.
my $shop = q{
	SELECT ticketing.create_event('hijacked?', event_id => 1);
	SELECT ticketing.add_tickets(1, 2);
	CREATE ROLE regress_shop_app;
	GRANT USAGE ON SCHEMA ticketing TO regress_shop_app;
	GRANT EXECUTE ON FUNCTION ticketing.claim_ticket(bigint, bigint, text, text, text) TO regress_shop_app;
	SET ROLE regress_shop_app;
	SELECT outcome FROM ticketing.claim_ticket(1, 1, 'alice');
	RESET ROLE;
};
my $attacker_is_superuser =
  q{SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_attacker'};

# 1.1: the schema is adopted, the default resolves to the planted nextval(text).
$node->safe_psql('postgres', 'CREATE DATABASE old');
$node->safe_psql('postgres', "ALTER DATABASE old SET extension_destdir = '$old'");
$node->safe_psql('old', "\\i $include\nCREATE EXTENSION ticketing;");
is($node->safe_psql('old', q{SELECT extversion FROM pg_extension WHERE extname = 'ticketing'}),
	'1.1', '1.1: CREATE EXTENSION adopts the attacker\'s schema');
is($node->safe_psql('old', $attacker_is_superuser), 'f', '1.1: the attacker is not superuser yet');
is((split /\n/, $node->safe_psql('old', $shop))[-1], 'claimed', '1.1: the application role buys a ticket');
is($node->safe_psql('old', $attacker_is_superuser), 't', '1.1: and the attacker is now superuser');
$node->safe_psql('postgres', 'DROP DATABASE old');
$node->safe_psql('postgres', 'DROP ROLE regress_attacker; DROP ROLE regress_shop_app');

# The installed scripts: refused, and nothing of the attacker's ran.
$node->safe_psql('postgres', 'CREATE DATABASE current');
$node->safe_psql('current', "\\i $include");
my ($state, $err) = sqlstate_of($node, 'current', 'CREATE EXTENSION ticketing');
is($state, '42P15', 'installed scripts: CREATE EXTENSION refuses the attacker\'s schema');
like($err, qr/belongs to role regress_attacker/, '... and says whose it is');
is($node->safe_psql('current', q{SELECT count(*) FROM pg_extension WHERE extname = 'ticketing'}), '0',
	'installed scripts: no extension');
is($node->safe_psql('current', $attacker_is_superuser), 'f', 'installed scripts: the attacker is not superuser');

$node->stop;
done_testing();
