#!/usr/bin/env python3
"""Runs the hostile-peer soak (scripts/soak builds the programs and calls
this). Python 3 standard library only.

Usage: soak.py LIB_DIR BIN_DIR

  1. starts BIN_DIR/server (one bound socket per role and transport, on
     LIB_DIR's library: checked in /proc/PID/maps) and BIN_DIR/good (the
     good clients, same library, same check);
  2. waits until every good client and every server socket that listens
     for good traffic has had its first answer (warm-up), then records the
     server's fd count (the fd baseline);
  3. runs a short warm-up attack (SOAK_WARMUP_SESSIONS per listener, seed
     SOAK_SEED + 1), waits for the fds to settle, and records VmRSS after
     malloc_trim (the RSS baseline; see RSS_MARGIN_MIB for why);
  4. runs tests/soak/attack.py against every listener (SOAK_SESSIONS per
     listener, seed SOAK_SEED, at most SOAK_TIME_CAP seconds);
  5. once the attacker has exited, polls the server's fd count until it is
     back at the fd baseline or SOAK_SETTLE seconds pass, records fds and
     VmRSS again, and names every descriptor the server holds that it did
     not hold at the fd baseline (the listener a leftover connection was
     accepted on and its TCP state, through pidfd_getfd(2));
  6. stops the good clients and the server (SIGTERM; both must report and
     exit 0 within 15 s) and checks that no good client, and no server
     socket fed by one, went SOAK_MAX_GAP_MS without an answer.

Environment (defaults in brackets): SOAK_SEED [1], SOAK_SESSIONS [1500],
SOAK_TIME_CAP [60], SOAK_PORT_BASE [28000], SOAK_SETTLE [10],
SOAK_FD_MARGIN [4], SOAK_RSS_MARGIN_MIB [8], SOAK_MAX_GAP_MS [5000],
SOAK_WARMUP_SESSIONS [300]; SOAK_KINDS and SOAK_TARGETS narrow the attack
for diagnosis (attack.py).

Prints one PASS/FAIL line per check and ends with "N passed, N failed";
exits 1 when any check failed.
"""
import ctypes
import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v else default


SEED = env_int("SOAK_SEED", 1)
SESSIONS = env_int("SOAK_SESSIONS", 1500)
TIME_CAP = env_int("SOAK_TIME_CAP", 60)
PORT_BASE = env_int("SOAK_PORT_BASE", 28000)
SETTLE = env_int("SOAK_SETTLE", 10)
FD_MARGIN = env_int("SOAK_FD_MARGIN", 4)
# The RSS check compares VmRSS after malloc_trim(0) (free heap pages given
# back, so what is measured is memory in use plus fragmentation), taken
# after a warm-up attack, with the same after the main attack. Measured
# on today's library with the attack restricted to the listeners that do
# not leak (SOAK_TARGETS without pub and push): ~5 MiB before any attack;
# the warm-up attack (300 sessions per listener) brings it to ~12 MiB, the
# heap's working size for hundreds of concurrent connections with 64 KiB
# reads and 128 KiB queues (fragmentation malloc_trim cannot return, and
# the library's 2 MiB pool of 512-byte message blocks); the main attack
# then adds 3.5 to 3.9 MiB (with the 3-4 PAIR connections that today's
# library leaks). Without the warm-up attack the first round alone adds 8
# to 10 MiB of such working size. 8 MiB is twice the measured growth,
# while a leak shows quickly: one leaked connection costs 64 KiB to 256
# KiB (measured: 600 PUB/PUSH connections leaked with unread input took
# 125 MiB), so 8 MiB is 32 to 128 leaked connections, or 170 bytes per
# session over the ~50000 sessions.
RSS_MARGIN_MIB = env_int("SOAK_RSS_MARGIN_MIB", 8)
MAX_GAP_MS = env_int("SOAK_MAX_GAP_MS", 5000)
WARMUP_SESSIONS = env_int("SOAK_WARMUP_SESSIONS", 300)

RESULTS = []
# CLOCK_MONOTONIC ms (as the C programs' maxgap_at) when the main attack
# began and ended: where a silence falls is printed relative to it.
ATTACK = {}


def check(ok, what):
    RESULTS.append(bool(ok))
    print("%s: %s" % ("PASS" if ok else "FAIL", what), flush=True)
    return ok


class Proc:
    """A child whose stdout lines are collected by a thread."""

    def __init__(self, name, argv):
        self.name = name
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.q = queue.Queue()
        self.err = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            line = line.rstrip("\n")
            self.lines.append(line)
            self.q.put(line)
        self.q.put(None)

    def _read_err(self):
        for line in self.p.stderr:
            self.err.append(line.rstrip("\n"))
            print("  [%s stderr] %s" % (self.name, line.rstrip("\n")),
                  flush=True)

    def wait_line(self, pred, deadline):
        """The first line (from now on) for which pred holds, or None."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self.q.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            if pred(line):
                return line

    def stop(self, timeout=15):
        """SIGTERM; the exit status, or None if it had to be killed."""
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return None


def fds(pid):
    """fd number -> link target, for the process."""
    out = {}
    d = "/proc/%d/fd" % pid
    for f in os.listdir(d):
        try:
            out[int(f)] = os.readlink(os.path.join(d, f))
        except OSError:
            pass
    return out


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def trimmed_rss_kib(server):
    """VmRSS after the server returned its free heap pages (SIGUSR1 ->
    malloc_trim(0)), and VmRSS just before that."""
    raw = rss_kib(server.p.pid)
    server.p.send_signal(signal.SIGUSR1)
    line = server.wait_line(lambda l: l.startswith("trimmed "),
                            time.monotonic() + 10)
    if line is None:
        return -1, raw
    print("soak: malloc_trim took %s" % line.split(" ", 1)[1])
    return rss_kib(server.p.pid), raw


def maps_has(pid, path):
    with open("/proc/%d/maps" % pid) as f:
        return any(line.rstrip("\n").endswith(" " + path) for line in f)


TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV",
              4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE",
              8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}


def sock_key(s, names):
    """'LISTENER [TCP state][, peer hung up | unread input]'."""
    local = s.getsockname()
    if s.family == socket.AF_UNIX:
        if isinstance(local, bytes):
            local = local.decode(errors="replace")
        key = names.get(local, "unix %r" % local)
    else:
        key = names.get(local[1], "tcp port %d" % local[1])
        info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
        key += " " + TCP_STATES.get(info[0], str(info[0]))
    p = select.poll()
    p.register(s, select.POLLIN | select.POLLRDHUP)
    ev = p.poll(0)
    if ev and ev[0][1] & (select.POLLHUP | select.POLLRDHUP):
        key += ", peer hung up"
    elif ev and ev[0][1] & select.POLLIN:
        key += ", unread input"
    return key


def describe(pid, fdnums, listeners):
    """Groups the server's descriptors by what they are: for a socket, the
    listener it was accepted by and its state. The descriptors are
    duplicated into this process with pidfd_getfd(2) (the server is our
    child) and inspected without reading: getsockname, TCP_INFO, and poll
    for a peer that hung up."""
    names = {}
    for l in listeners:
        if l["tr"] == "ipc":
            names[l["addr"][len("ipc://"):]] = "%s.%s" % (l["role"], l["tr"])
        else:
            port = int(l["addr"].split("//", 1)[1].split("/", 1)[0]
                       .rsplit(":", 1)[1])
            names[port] = "%s.%s" % (l["role"], l["tr"])
    libc = ctypes.CDLL(None, use_errno=True)
    groups = {}
    try:
        pidfd = os.pidfd_open(pid)
    except OSError:
        pidfd = -1
    for n in fdnums:
        try:
            target = os.readlink("/proc/%d/fd/%d" % (pid, n))
        except OSError:
            continue
        key = target.split(":")[0] if ":" in target else target
        fd = libc.syscall(438, pidfd, n, 0) if pidfd >= 0 else -1  # getfd
        if target.startswith("socket:") and fd >= 0:
            with socket.socket(fileno=fd) as s:  # closes the duplicate
                fd = -1
                try:
                    key = sock_key(s, names)
                except OSError as e:
                    key += " (%s)" % e.strerror
        if fd >= 0:
            os.close(fd)
        groups[key] = groups.get(key, 0) + 1
    if pidfd >= 0:
        os.close(pidfd)
    return groups


def run_attack(server, lfile, sessions, seed):
    """Runs attack.py to its end; samples the server's fds and RSS."""
    pid = server.p.pid
    t = time.monotonic()
    attacker = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "attack.py"), lfile,
         str(sessions), str(seed), str(TIME_CAP)],
        stdout=subprocess.PIPE, text=True)
    r = {"peak_fds": 0, "peak_rss": 0, "alive": True, "summary": None}
    out = []
    reader = threading.Thread(
        target=lambda: out.extend(attacker.stdout.read().splitlines()),
        daemon=True)
    reader.start()
    while attacker.poll() is None:
        if server.p.poll() is not None:
            break
        try:
            r["peak_fds"] = max(r["peak_fds"],
                                len(os.listdir("/proc/%d/fd" % pid)))
            r["peak_rss"] = max(r["peak_rss"], rss_kib(pid))
        except OSError:
            pass
        if time.monotonic() - t > TIME_CAP + 60:
            print("soak: attacker still running %d s after its cap; "
                  "killed" % (TIME_CAP + 60))
            attacker.kill()
        time.sleep(0.5)  # sampling interval for the peaks, not a wait
    if attacker.poll() is None:  # the server died: stop attacking
        attacker.kill()
    attacker.wait()
    reader.join(5)
    r["elapsed"] = time.monotonic() - t
    r["rc"] = attacker.returncode
    r["alive"] = server.p.poll() is None
    if out:
        try:
            r["summary"] = json.loads(out[-1])
        except ValueError:
            pass
    return r


def settle(pid, count):
    """Polls until the process has at most `count` fds, or SETTLE seconds
    have passed; returns the seconds it took."""
    t = time.monotonic()
    while time.monotonic() - t < SETTLE:
        if len(os.listdir("/proc/%d/fd" % pid)) <= count:
            break
        time.sleep(0.1)
    return time.monotonic() - t


def tallies(lines):
    """'tally ROLE TR k=v ...' lines -> {(role, tr): {k: int}}."""
    out = {}
    for line in lines:
        c = line.split()
        if c and c[0] == "tally":
            out[(c[1], c[2])] = {k: int(v) for k, v in
                                 (x.split("=") for x in c[3:])}
    return out


def make_certs(d):
    """The tls listeners' certificates, in d: ca.pem (a CA) and
    server.pem (a certificate for 127.0.0.1 it signed, with its key)."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes"]
    run = lambda *a: subprocess.run(a, cwd=d, check=True,
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
    run("openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out",
        "ca.pem", "-days", "2", "-subj", "/CN=soak-ca", "-addext",
        "basicConstraints=critical,CA:TRUE", "-addext",
        "keyUsage=critical,keyCertSign")
    run("openssl", "req", *ec, "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=soak")
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem",
        "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile",
        "server.ext", "-out", "server.crt")
    with open(os.path.join(d, "server.pem"), "w") as f:
        for n in ("server.crt", "server.key"):
            f.write(open(os.path.join(d, n)).read())


def main():
    libdir, bindir = sys.argv[1], sys.argv[2]
    lib = os.path.realpath(os.path.join(libdir, "libnanomsg.so.5"))
    ipcdir = tempfile.mkdtemp(prefix="nn-soak-")
    print("soak: library %s, seed %d (SOAK_SEED), %d sessions per listener "
          "(SOAK_SESSIONS), time cap %d s, ports %d-%d, ipc in %s"
          % (lib, SEED, SESSIONS, TIME_CAP, PORT_BASE, PORT_BASE + 99,
             ipcdir), flush=True)
    t0 = time.monotonic()

    make_certs(ipcdir)
    server = Proc("server", [os.path.join(bindir, "server"), str(PORT_BASE),
                             ipcdir])
    good = None
    try:
        ready = server.wait_line(lambda l: l.startswith("ready "),
                                 time.monotonic() + 20)
        if not check(ready, "server bound every listener"):
            return
        pid = int(ready.split()[1])
        listeners = []
        for line in server.lines:
            c = line.split()
            if c[0] == "listen":
                listeners.append({"role": c[1], "tr": c[2], "addr": c[3],
                                  "proto": int(c[4]), "peer": int(c[5])})
        print("soak: server pid %d, %d listeners" % (pid, len(listeners)))
        check(maps_has(pid, lib), "server runs on %s (/proc/%d/maps)"
              % (lib, pid))

        good = Proc("good", [os.path.join(bindir, "good"), str(PORT_BASE),
                             ipcdir])
        # Warm-up: every good client (good's "first" lines) and every server
        # socket fed by one (the server's "firstgood" lines) has an answer.
        want = {(l["role"], l["tr"]) for l in listeners
                if l["role"] != "pair2"}
        deadline = time.monotonic() + 30
        server_fed = ("sub", "pull", "surveyor", "req")
        good_fed = {k for k in want if k[0] not in ("sub", "pull")}
        srv_fed = {k for k in want if k[0] in server_fed}
        g_seen, s_seen = set(), set()
        while (g_seen != good_fed or s_seen != srv_fed) and \
                time.monotonic() < deadline:
            line = good.wait_line(lambda l: l.startswith("first "),
                                  min(deadline, time.monotonic() + 0.1))
            if line:
                g_seen.add(tuple(line.split()[1:3]))
            while True:
                try:
                    sl = server.q.get_nowait()
                except queue.Empty:
                    break
                if sl and sl.startswith("firstgood "):
                    s_seen.add(tuple(sl.split()[1:3]))
        missing = sorted(good_fed - g_seen) + sorted(srv_fed - s_seen)
        check(not missing, "warm-up: every good client answered%s" % (
            "" if not missing else " (missing: %s)" % " ".join(
                "%s.%s" % m for m in missing)))
        check(maps_has(good.p.pid, lib), "good clients run on %s" % lib)

        base_fds = fds(pid)
        print("soak: baseline after warm-up (%.1f s): %d fds"
              % (time.monotonic() - t0, len(base_fds)), flush=True)
        lfile = os.path.join(ipcdir, "listeners.json")
        with open(lfile, "w") as f:
            json.dump(listeners, f)

        # A short attack first, so that the heap has its working size when
        # the RSS baseline is taken (see RSS_MARGIN_MIB).
        if WARMUP_SESSIONS > 0:
            r = run_attack(server, lfile, WARMUP_SESSIONS, SEED + 1)
            if not check(r["alive"], "server alive after the warm-up attack"):
                return
            print("soak: warm-up attack: %d sessions per listener (seed %d) "
                  "in %.1f s" % (WARMUP_SESSIONS, SEED + 1, r["elapsed"]))
            ts = settle(pid, len(base_fds))
            print("soak: %d fds %.1f s after the warm-up attack"
                  % (len(fds(pid)), ts))
        base_rss, base_raw = trimmed_rss_kib(server)
        print("soak: RSS baseline: VmRSS %d KiB after malloc_trim (%d before)"
              % (base_rss, base_raw), flush=True)

        ATTACK["start"] = time.monotonic() * 1000
        r = run_attack(server, lfile, SESSIONS, SEED)
        ATTACK["end"] = time.monotonic() * 1000
        summary = r["summary"]
        check(r["alive"], "server alive after the attack")
        if not r["alive"]:
            print("soak: server exit status %s" % server.p.returncode)
            return
        if check(r["rc"] == 0 and summary,
                 "attacker ran (exit %s)" % r["rc"]):
            print("soak: attack %.1f s: %d of %d sessions%s" % (
                r["elapsed"], summary["sessions"], summary["planned"],
                " (stopped by the time cap)" if summary["capped"] else ""))
            print("soak: sessions per kind: " + ", ".join(
                "%s %d" % kv for kv in sorted(summary["kinds"].items())))
            print("soak: sessions per listener: %d to %d" % (
                min(summary["listeners"].values()),
                max(summary["listeners"].values())))
            print("soak: sessions the server closed within the read window: "
                  + ", ".join("%s %d" % kv for kv in
                              sorted(summary["closed_by_server"].items())))
            print("soak: valid request/echo exchanges answered: %d of %d" % (
                summary["valid_answered"], summary["valid_expected"]))
            cf = summary["connect_failures"]
            check(not cf, "attacker could always connect%s" % (
                "" if not cf else ": failures " + json.dumps(cf)))
            check(not summary["errors"], "attacker without internal errors%s"
                  % ("" if not summary["errors"] else ": " +
                     json.dumps(summary["errors"])))
        print("soak: during the attack: peak %d fds, peak VmRSS %d KiB"
              % (r["peak_fds"], r["peak_rss"]))

        ts = settle(pid, len(base_fds))
        after_fds = fds(pid)
        after_rss, after_raw = trimmed_rss_kib(server)
        print("soak: after the attack (settled %.1f s): %d fds (baseline %d),"
              " VmRSS %d KiB after malloc_trim (%d before; baseline %d, "
              "%+d KiB)" % (ts, len(after_fds),
                            len(base_fds), after_rss, after_raw, base_rss,
                            after_rss - base_rss), flush=True)
        new = [n for n, t in after_fds.items() if base_fds.get(n) != t]
        if new:
            groups = describe(pid, new, listeners)
            print("soak: descriptors the server holds that it did not hold "
                  "before (%d):" % len(new))
            for k, v in sorted(groups.items(), key=lambda kv: -kv[1]):
                print("  %5d  %s" % (v, k))
        check(len(after_fds) <= len(base_fds) + FD_MARGIN,
              "server fds %d <= baseline %d + %d"
              % (len(after_fds), len(base_fds), FD_MARGIN))
        check(after_rss - base_rss <= RSS_MARGIN_MIB * 1024,
              "server VmRSS grew %d KiB <= %d MiB"
              % (after_rss - base_rss, RSS_MARGIN_MIB))
    finally:
        gstat = good.stop() if good else None
        sstat = server.stop()
        if good:
            check(gstat == 0, "good clients stopped and exited 0 (%s)"
                  % gstat)
        check(sstat == 0 and "closed" in server.lines,
              "server closed every socket and exited 0 (%s)" % sstat)
        gt = tallies(good.lines) if good else {}
        st = tallies(server.lines)
        if gt or st:
            print("soak: answers per good client (and per server socket fed"
                  " by one), longest silence:")
        if ATTACK:
            print("soak: (a silence's start is given in seconds from the "
                  "main attack's start; the attack ran %.1f s)"
                  % ((ATTACK.get("end", ATTACK["start"]) - ATTACK["start"])
                     / 1000))

        def at(t):
            if not ATTACK or t["maxgap_ms"] == 0:
                return ""
            return " from %+.1f s" % ((t["maxgap_at"] - ATTACK["start"])
                                      / 1000)
        for (role, tr), t in sorted(gt.items()):
            check(t["answers"] > 0 and t["maxgap_ms"] <= MAX_GAP_MS,
                  "good client on %s.%s: %d answers, longest silence %d ms%s"
                  % (role, tr, t["answers"], t["maxgap_ms"], at(t)))
        for (role, tr), t in sorted(st.items()):
            if role in ("sub", "pull", "surveyor", "req"):
                check(t["good"] > 0 and t["maxgap_ms"] <= MAX_GAP_MS,
                      "server %s.%s from its good client: %d, longest "
                      "silence %d ms%s" % (role, tr, t["good"],
                                           t["maxgap_ms"], at(t)))
        if st:
            print("soak: messages each server socket handled: " + ", ".join(
                "%s.%s %d" % (r, t, v["handled"])
                for (r, t), v in sorted(st.items())))
        for f in os.listdir(ipcdir):
            try:
                os.unlink(os.path.join(ipcdir, f))
            except OSError:
                pass
        try:
            os.rmdir(ipcdir)
        except OSError:
            pass
        passed = sum(RESULTS)
        failed = len(RESULTS) - passed
        print("soak: %.1f s in all" % (time.monotonic() - t0))
        print("%d passed, %d failed" % (passed, failed), flush=True)
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
