# A pg_auto_failover formation for the failover tests: a monitor and two data nodes
# (node_a, node_b), each run by pg_autoctl as the postgres OS user in a network namespace
# that run_failover.sh made (FO_PREFIX-hub, -a, -b). The test itself runs as root in the
# hub namespace, where the monitor lives and the clients connect from; it can cut the
# link between a and b (a blackhole rule in the hub, which routes between them).
#
# Nodes answer safe_psql/psql like PostgreSQL::Test::Cluster nodes, so the checks of
# test/reliability (TicketingLedger, TicketingNode) run on them unchanged.
package TicketingHA;

use strict;
use warnings;
use Carp;
use IPC::Run ();
use POSIX ();
use Test::More ();
use Time::HiRes qw(time sleep);

my $PG_BINDIR = '/usr/lib/postgresql/15/bin';
my $PORT = 5432;    # every node has a namespace, and so a port space, of its own
my %ADDRESS = (monitor => '127.100.0.1', a => '127.100.1.2', b => '127.100.2.2');
my $MONITOR_URI = "postgres://autoctl_node\@$ADDRESS{monitor}:$PORT/pg_auto_failover?sslmode=disable";
my $owner_pid = $$;
my @formations;

# Monitor settings: how fast a dead primary is noticed and replaced (the defaults take
# about 30 s; these about 5 s). See docs/high-availability.md for what they trade.
our %MONITOR_SETTINGS = (
	'pgautofailover.health_check_period'              => 1000,
	'pgautofailover.health_check_timeout'             => 1000,
	'pgautofailover.health_check_retry_delay'         => 500,
	'pgautofailover.health_check_max_retries'         => 1,
	'pgautofailover.node_considered_unhealthy_timeout' => 4000,
	'pgautofailover.primary_demote_timeout'           => 10000,
	'pgautofailover.startup_grace_period'             => 4000);

# Settings of both data nodes (the secondary gets them with its base backup).
our $NODE_CONF = <<'EOF';
shared_preload_libraries = 'ticketing'
fsync = on
synchronous_commit = on
log_line_prefix = '%m [%p] %e '
log_error_verbosity = verbose
max_connections = 100
shared_buffers = 128MB
# A node that rejoins by pg_basebackup (when pg_rewind fails) waits for a spread
# checkpoint of the primary: at most 90% of this.
checkpoint_timeout = '1min'
EOF

sub new
{
	my ($class, %o) = @_;
	my $prefix = $ENV{FO_PREFIX} or croak 'FO_PREFIX is not set: run this through run_failover.sh';
	my $self = bless {
		prefix => $prefix,
		dir    => $o{dir} // croak('dir'),
		nodes  => {},
		cut    => [],
	}, $class;
	push @formations, $self;
	return $self;
}

sub monitor { return $_[0]{nodes}{monitor} }
sub node { my ($self, $name) = @_; return $self->{nodes}{$name} // croak "no node $name" }

# A multi-host DBI data source: libpq tries each data node and keeps the one that
# accepts writes.
sub dsn
{
	my ($self, $db) = @_;
	return "dbi:Pg:dbname=$db;user=postgres;host=$ADDRESS{a},$ADDRESS{b};port=$PORT,$PORT;"
	  . 'target_session_attrs=read-write;connect_timeout=2';
}

sub _node_object
{
	my ($self, $name) = @_;
	my $home = "$self->{dir}/$name-home";
	my $node = bless {
		name   => $name,
		ns     => "$self->{prefix}-" . ($name eq 'monitor' ? 'hub' : $name),
		host   => $ADDRESS{$name},
		port   => $PORT,
		pgdata => "$self->{dir}/$name",
		home   => $home,
		log    => "$self->{dir}/$name-pg_autoctl.log",
	}, 'TicketingHA::Node';
	for my $sub ('', '/sock', '/config', '/data', '/run')
	{
		mkdir "$home$sub" or croak "mkdir $home$sub: $!" unless -d "$home$sub";
	}
	system('chown', '-R', 'postgres:', $home) == 0 or croak 'chown';
	$self->{nodes}{$name} = $node;
	return $node;
}

# The monitor, running, with fast health checks, and reachable from the data nodes.
sub create_monitor
{
	my ($self) = @_;
	my $m = $self->_node_object('monitor');
	$m->autoctl_ok('create', 'monitor', '--pgport', $PORT, '--hostname', $ADDRESS{monitor},
		'--auth', 'trust', '--no-ssl');
	_append($m->{pgdata} . '/pg_hba.conf', "host all all 127.0.0.0/8 trust\n");
	$m->start;
	$m->wait_ready;
	$m->safe_psql('pg_auto_failover',
		join('', map { "ALTER SYSTEM SET $_ = $MONITOR_SETTINGS{$_};\n" } sort keys %MONITOR_SETTINGS)
		  . 'SELECT pg_reload_conf();');
	return $m;
}

# A data node: the first becomes the primary (initdb here, with our settings and client
# authentication), the second the secondary (pg_autoctl takes a base backup of the
# primary). Waits until the node runs.
sub create_node
{
	my ($self, $name) = @_;
	my $n = $self->_node_object($name);
	# The first data node is initialised here; later ones are base backups of it.
	if (!grep { $_ ne 'monitor' && $_ ne $name } keys %{ $self->{nodes} })
	{
		$n->run_as_postgres([ "$PG_BINDIR/initdb", '--auth=trust', '-U', 'postgres', '-E', 'UTF8',
				'-D', $n->{pgdata} ])
		  or croak "initdb $name failed";
		_write($n->{pgdata} . '/pg_hba.conf', <<'EOF');
local all all trust
local replication all trust
host all all 127.0.0.0/8 trust
host replication all 127.0.0.0/8 trust
EOF
		_append($n->{pgdata} . '/postgresql.conf', $NODE_CONF);
	}
	$n->autoctl_ok('create', 'postgres', '--hostname', $ADDRESS{$name}, '--pgport', $PORT,
		'--name', "node_$name", '--monitor', $MONITOR_URI, '--no-ssl', '--skip-pg-hba');
	$n->start;
	return $n;
}

# The whole formation as the tests start it: the monitor, node_a (primary) and node_b
# (its synchronous secondary); two TAP assertions. Returns the two data nodes.
sub start_formation
{
	my ($self) = @_;
	$self->create_monitor;
	$self->create_node('a');
	Test::More::ok($self->wait_states(60, a => 'single'), 'node_a registered as a single node');
	$self->create_node('b');
	Test::More::ok($self->wait_states(90, a => 'primary', b => 'secondary'),
		'node_b joined as the secondary (' . $self->states_text . ')');
	return ($self->node('a'), $self->node('b'));
}

# The negative control: node_b leaves the replication quorum, so that node_a's commits
# stop waiting for it (synchronous_standby_names = ''). Returns the setting.
sub make_standby_asynchronous
{
	my ($self) = @_;
	$self->node('b')->autoctl_ok('set', 'node', 'replication-quorum', 'false');
	my $names;
	for (1 .. 100)
	{
		$names = $self->node('a')->safe_psql('postgres', 'SHOW synchronous_standby_names');
		last if $names eq '';
		Time::HiRes::sleep(0.2);
	}
	return $names;
}

# Waits (up to 90 s) until the named node accepts writes; returns the time, or undef.
sub wait_writable
{
	my ($self, $name) = @_;
	my $deadline = time() + 90;
	while (time() < $deadline)
	{
		my $w = $self->writable_node;
		return time() if $w && $w->name eq $name;
		Time::HiRes::sleep(0.1);
	}
	return undef;
}

# The formation's nodes as the monitor sees them: name => [reported, assigned].
sub states
{
	my ($self) = @_;
	my ($rc, $out) = $self->monitor->psql('pg_auto_failover',
		'SELECT nodename, reportedstate, goalstate FROM pgautofailover.node ORDER BY nodeid');
	my %s;
	return \%s if $rc != 0;
	for my $line (split /\n/, $out)
	{
		my ($name, $reported, $goal) = split /\|/, $line;
		$name =~ s/^node_//;
		$s{$name} = [ $reported, $goal ];
	}
	return \%s;
}

sub states_text
{
	my ($self) = @_;
	my $s = $self->states;
	return join(', ', map { "$_ $s->{$_}[0]/$s->{$_}[1]" } sort keys %$s);
}

# Waits until each named node reports (and is assigned) the given state. Returns true
# when it happened within $timeout seconds.
sub wait_states
{
	my ($self, $timeout, %want) = @_;
	my $deadline = time() + $timeout;
	while (time() < $deadline)
	{
		my $s = $self->states;
		return 1 unless grep { !$s->{$_} || $s->{$_}[0] ne $want{$_} || $s->{$_}[1] ne $want{$_} } keys %want;
		sleep(0.2);
	}
	return 0;
}

# The node that accepts writes now (asking the nodes, not the monitor), or undef: out
# of recovery and not read-only (a promoted node stays default_transaction_read_only
# while pg_auto_failover waits for the old primary to be surely gone).
sub writable_node
{
	my ($self) = @_;
	for my $name (qw(a b))
	{
		my $n = $self->{nodes}{$name} or next;
		my ($rc, $out) = $n->psql('postgres',
			q{SELECT pg_is_in_recovery() OR current_setting('transaction_read_only')::boolean}, timeout => 3);
		return $n if $rc == 0 && $out eq 'f';
	}
	return undef;
}

# Cuts the link between the data nodes in the hub (a -> b, b -> a, or both), as a
# network partition would: packets vanish, nothing answers. Both still reach the monitor
# and the clients.
sub cut
{
	my ($self, $direction) = @_;
	$direction //= 'both';
	my @rules;
	push @rules, [ "$self->{prefix}-ha", '127.100.2.0/24', 100 ] if $direction ne 'b->a';
	push @rules, [ "$self->{prefix}-hb", '127.100.1.0/24', 101 ] if $direction ne 'a->b';
	for my $r (@rules)
	{
		_run_ok([ 'ip', 'rule', 'add', 'iif', $r->[0], 'to', $r->[1], 'blackhole', 'prio', $r->[2] ])
		  or croak "ip rule add failed";
		push @{ $self->{cut} }, $r->[2];
	}
	return;
}

sub heal
{
	my ($self) = @_;
	_run_ok([ 'ip', 'rule', 'del', 'prio', $_ ]) for @{ $self->{cut} };
	$self->{cut} = [];
	return;
}

# Stops every node (fast); the run script removes whatever is left with the namespaces.
sub teardown
{
	my ($self) = @_;
	$self->heal if @{ $self->{cut} };
	for my $name (qw(a b monitor))
	{
		my $n = $self->{nodes}{$name} or next;
		$n->stop;
	}
	return;
}

END
{
	if ($$ == $owner_pid)
	{
		my $status = $?;
		$_->teardown for @formations;
		$? = $status;
	}
}

sub _run_ok
{
	my ($cmd, %o) = @_;
	local $SIG{PIPE} = 'IGNORE';    # a command that exits before reading its input
	my ($out, $err) = ('', '');
	my $ok = eval { IPC::Run::run($cmd, '<', \undef, '>', \$out, '2>', \$err,
		IPC::Run::timeout($o{timeout} // 180)) };
	return wantarray ? ($ok, $out, $err) : $ok;
}

sub _write
{
	my ($file, $text) = @_;
	open my $fh, '>', $file or croak "$file: $!";
	print $fh $text;
	close $fh;
	return;
}

sub _append
{
	my ($file, $text) = @_;
	open my $fh, '>>', $file or croak "$file: $!";
	print $fh $text;
	close $fh;
	return;
}

package TicketingHA::Node;

use strict;
use warnings;
use Carp;
use IPC::Run ();
use POSIX ();
use Time::HiRes qw(time sleep);

sub name { return $_[0]{name} }
sub host { return $_[0]{host} }
sub port { return $_[0]{port} }

# The node's processes run as postgres in its namespace, with a configuration and
# runtime directory of their own (pg_autoctl keeps its state under XDG_* directories).
sub env_command
{
	my ($self, @cmd) = @_;
	my $h = $self->{home};
	return [ 'ip', 'netns', 'exec', $self->{ns}, 'runuser', '-u', 'postgres', '--', 'env', '-i',
		"PATH=$PG_BINDIR:/usr/bin:/bin", "HOME=$h", "XDG_CONFIG_HOME=$h/config",
		"XDG_DATA_HOME=$h/data", "XDG_RUNTIME_DIR=$h/run", "PG_REGRESS_SOCK_DIR=$h/sock",
		"PGHOST=$h/sock", "PGPORT=$self->{port}", "PGDATA=$self->{pgdata}", 'LANG=C.UTF-8', @cmd ];
}

sub run_as_postgres
{
	my ($self, $cmd, %o) = @_;
	my ($ok, $out, $err) = TicketingHA::_run_ok($self->env_command(@$cmd), %o);
	TicketingHA::_append($self->{log}, "\$ @$cmd\n$out$err");
	return $ok;
}

sub autoctl_ok
{
	my ($self, @args) = @_;
	$self->run_as_postgres([ 'pg_autoctl', @args ]) or croak "pg_autoctl @args failed on $self->{name}; see $self->{log}";
	return 1;
}

# pg_autoctl run in the background (its supervisor starts and watches postgres).
sub start
{
	my ($self) = @_;
	my $pid = fork();
	croak "fork: $!" unless defined $pid;
	if ($pid == 0)
	{
		POSIX::setsid();
		open STDIN, '<', '/dev/null';
		open STDOUT, '>>', $self->{log};
		open STDERR, '>&', \*STDOUT;
		{ exec @{ $self->env_command('pg_autoctl', 'run') } };
		POSIX::_exit(127);
	}
	$self->{run_pid} = $pid;
	return $pid;
}

# pg_autoctl stop (fast shutdown of postgres too); reaps the background run.
sub stop
{
	my ($self) = @_;
	return unless $self->{run_pid};
	$self->run_as_postgres([ 'pg_autoctl', 'stop' ], timeout => 60);
	my $deadline = time() + 30;
	while (time() < $deadline)
	{
		last if waitpid($self->{run_pid}, POSIX::WNOHANG()) != 0;
		sleep(0.2);
	}
	delete $self->{run_pid};
	return;
}

# Every process of the node at once with SIGKILL: pg_autoctl (so nothing restarts
# postgres), the postmaster and its backends, as when the machine dies. Returns the
# time of the kill and the number of processes killed.
sub kill_all
{
	my ($self) = @_;
	my ($ok, $out) = TicketingHA::_run_ok([ 'ip', 'netns', 'pids', $self->{ns} ]);
	my @pids = grep { /^\d+$/ } split /\s+/, $out;
	my $postmaster = $self->postmaster_pid;
	croak "no postmaster of $self->{name} among its processes"
	  unless $postmaster && grep { $_ == $postmaster } @pids;
	my $at = time();
	my $killed = kill('KILL', @pids);
	waitpid($self->{run_pid}, 0) if $self->{run_pid};
	delete $self->{run_pid};
	return ($at, $killed);
}

sub postmaster_pid
{
	my ($self) = @_;
	open my $fh, '<', "$self->{pgdata}/postmaster.pid" or return undef;
	my $pid = <$fh>;
	close $fh;
	chomp $pid if defined $pid;
	return $pid;
}

sub wait_ready
{
	my ($self, $timeout) = @_;
	my $deadline = time() + ($timeout // 60);
	while (time() < $deadline)
	{
		my ($rc) = $self->psql('postgres', 'SELECT 1', timeout => 3);
		return 1 if $rc == 0;
		sleep(0.2);
	}
	croak "$self->{name} did not accept connections";
}

# psql over TCP from the hub (as the Cluster.pm methods of the same names).
sub psql
{
	my ($self, $db, $sql, %o) = @_;
	# psql exits without reading the statements when it cannot connect (a killed node):
	# writing them must not kill the test with SIGPIPE.
	local $SIG{PIPE} = 'IGNORE';
	my ($out, $err) = ('', '');
	my $ok = eval {
		IPC::Run::run([ "$PG_BINDIR/psql", '-XAtq', '-v', 'ON_ERROR_STOP=1', '-h', $self->{host},
				'-p', $self->{port}, '-U', 'postgres', '-d', $db, '-f', '-' ],
			'<', \$sql, '>', \$out, '2>', \$err, IPC::Run::timeout($o{timeout} // 180));
	};
	my $rc = $ok ? 0 : ($? >> 8 || 1);
	chomp $out;
	chomp $err;
	return wantarray ? ($rc, $out, $err) : $rc;
}

sub safe_psql
{
	my ($self, $db, $sql, %o) = @_;
	my ($rc, $out, $err) = $self->psql($db, $sql, %o);
	croak "psql on $self->{name} failed: $err\nwhile running: $sql" if $rc != 0 || $err =~ /ERROR/;
	return $out;
}

sub logfile
{
	my ($self) = @_;
	my @logs = sort glob("$self->{pgdata}/log/*.log");
	return $logs[-1];
}

1;
