# Debian's NanoMsg::Raw (libnanomsg-raw-perl, built for upstream nanomsg)
# on our library: run by scripts/clients-test with LD_LIBRARY_PATH set.
#
#   perl nanomsg_raw.pl EXPECTED_LIBNANOMSG_SO TCP_PORT
#
# Dies unless this process mapped exactly EXPECTED_LIBNANOMSG_SO, then
# exchanges messages over inproc (PAIR) and tcp (REQ/REP).
use strict;
use warnings;
use Cwd qw(realpath);
use NanoMsg::Raw;

$| = 1;

my ($expect, $port) = @ARGV;
die "usage: perl nanomsg_raw.pl EXPECTED_SO TCP_PORT\n" unless defined $port;

open my $maps, '<', "/proc/$$/maps" or die "/proc/$$/maps: $!\n";
my %mapped;
while (<$maps>) {
    $mapped{ realpath($1) // $1 } = 1 if m{(/\S*libnanomsg\S*)};
}
close $maps;
my @mapped = sort keys %mapped;
print "loaded @mapped\n";
die "expected exactly " . realpath($expect) . "\n"
    unless @mapped == 1 && $mapped[0] eq realpath($expect);

sub check {
    my ($ok, $what) = @_;
    die "not ok: $what: " . nn_strerror(nn_errno()) . " (errno " . (nn_errno() + 0) . ")\n"
        unless $ok;
    print "ok: $what\n";
}

# inproc PAIR, both ways, plus a would-block receive.
my $buf;
my $a = nn_socket(AF_SP, NN_PAIR);
my $b = nn_socket(AF_SP, NN_PAIR);
check(defined $a && defined $b && $a >= 0 && $b >= 0, 'nn_socket PAIR x2');
check(defined nn_bind($a, 'inproc://perl-raw'), 'nn_bind inproc');
check(defined nn_connect($b, 'inproc://perl-raw'), 'nn_connect inproc');
check((nn_send($a, 'hello from a') // -1) == 12, 'nn_send inproc');
check((nn_recv($b, $buf) // -1) == 12 && $buf eq 'hello from a', 'nn_recv inproc');
check((nn_send($b, "bin\0ary") // -1) == 7, 'nn_send inproc (binary)');
check((nn_recv($a, $buf, 100) // -1) == 7 && $buf eq "bin\0ary", 'nn_recv inproc (fixed-size buffer)');
check(!defined nn_recv($a, $buf, NN_MSG, NN_DONTWAIT) && nn_errno() == EAGAIN,
    'nn_recv NN_DONTWAIT on an empty socket fails with EAGAIN');
check(nn_close($a) && nn_close($b), 'nn_close inproc sockets');

# tcp REQ/REP.
my $rep = nn_socket(AF_SP, NN_REP);
my $req = nn_socket(AF_SP, NN_REQ);
check(defined $rep && defined $req && $rep >= 0 && $req >= 0, 'nn_socket REP, REQ');
for my $s ($rep, $req) {
    check(nn_setsockopt($s, NN_SOL_SOCKET, NN_RCVTIMEO, 5000), 'nn_setsockopt NN_RCVTIMEO');
}
check(unpack('i', nn_getsockopt($req, NN_SOL_SOCKET, NN_RCVTIMEO) // '') == 5000,
    'nn_getsockopt NN_RCVTIMEO (packed int)');
my $url = "tcp://127.0.0.1:$port";
check(defined nn_bind($rep, $url), "nn_bind $url");
check(defined nn_connect($req, $url), "nn_connect $url");
check((nn_send($req, 'ping') // -1) == 4, 'nn_send tcp request');
check((nn_recv($rep, $buf) // -1) == 4 && $buf eq 'ping', 'nn_recv tcp request');
check((nn_send($rep, 'pong') // -1) == 4, 'nn_send tcp reply');
check((nn_recv($req, $buf) // -1) == 4 && $buf eq 'pong', 'nn_recv tcp reply');
check(nn_close($req) && nn_close($rep), 'nn_close tcp sockets');
print "perl NanoMsg::Raw: all ok\n";
