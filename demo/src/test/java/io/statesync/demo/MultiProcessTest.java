/*
 * Copyright 2026 The statesync developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package io.statesync.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.statesync.testkit.JvmProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every single-node command as a process of its own against a {@code zookeeper} process, reacting
 * to another node's change: what a user does in several terminals.
 */
@Timeout(120)
class MultiProcessTest {
    private static final Pattern EPOCH = Pattern.compile("epoch (\\d+)");
    private static final Pattern TOKEN = Pattern.compile("fencing token (\\d+)");

    private static JvmProcess zookeeper;
    private static String connect;
    private static Path dataDir;
    private final List<JvmProcess> nodes = new ArrayList<>();

    @BeforeAll
    static void startZooKeeper() throws Exception {
        zookeeper = DemoProcess.start("zookeeper", "zookeeper");
        connect = zookeeper.awaitLine("connect string: ").substring("connect string: ".length());
        String dir = zookeeper.awaitLine("data directory: ").substring("data directory: ".length());
        dataDir = Path.of(dir.substring(0, dir.indexOf(" (")));
        assertThat(dataDir).isDirectory();
    }

    @AfterAll
    static void stopZooKeeper() throws Exception {
        // SIGTERM takes the same path as Ctrl-C: the server stops and its directory is removed.
        int code = zookeeper.stop();
        assertThat(zookeeper.out())
                .as("exit code %d, stderr %s", code, zookeeper.stderr())
                .contains("stopping ZooKeeper");
        assertThat(code).isEqualTo(143);
        assertThat(Files.exists(dataDir))
                .as("the server's temporary directory is removed")
                .isFalse();
    }

    @AfterEach
    void stopNodes() {
        nodes.forEach(JvmProcess::close);
    }

    private JvmProcess node(String name, String command, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of(command, "--connect", connect, "--node", name));
        args.addAll(List.of(more));
        JvmProcess p = DemoProcess.start(name, args.toArray(String[]::new));
        nodes.add(p);
        return p;
    }

    @Test
    void configTypedOnOneNodeIsAppliedByTheOthers() throws Exception {
        JvmProcess a = node("cfg-a", "config", "--namespace", "t-config");
        JvmProcess b = node("cfg-b", "config", "--namespace", "t-config");
        a.awaitLine("cfg-a applied config version 0: rate-limit=100");
        b.awaitLine("cfg-b applied config version 0: rate-limit=100");
        b.awaitLine("Type a new config line");

        b.type("rate-limit=300");
        a.awaitLine("cfg-a applied config version 1: rate-limit=300");

        // a one-shot writer, as a third terminal would run it
        JvmProcess c = node("cfg-c", "config", "--namespace", "t-config", "--set", "rate-limit=50");
        assertThat(c.awaitExit(Duration.ofSeconds(30))).isEqualTo(0);
        assertThat(c.out()).anyMatch(l -> l.contains("cfg-c wrote config version 2: rate-limit=50"));
        a.awaitLine("cfg-a applied config version 2: rate-limit=50");
        b.awaitLine("cfg-b applied config version 2: rate-limit=50");
    }

    @Test
    void membersSeeEachOtherJoinAndLeave() throws Exception {
        JvmProcess m1 = node("m1", "members", "--namespace", "t-members");
        m1.awaitLine("m1 registered; members now: [m1]");
        JvmProcess m2 = node("m2", "members", "--namespace", "t-members");
        m2.awaitLine("m2 registered; members now: [m1, m2]");
        m1.awaitLine("m2 joined");

        m2.stop(); // a clean leave: seen at once, not after the session timeout
        assertThat(m2.out()).anyMatch(l -> l.contains("m2 stopping: leaving the group"));
        m1.awaitLine("m2 left");
        m1.awaitLine(l -> l.endsWith("  members now: [m1]"), "members now: [m1] after m2 left");
    }

    @Test
    void theSingletonTaskMovesToAnotherNodeWithAHigherEpochWhenTheLeaderStops() throws Exception {
        JvmProcess s1 = node("s1", "singleton", "--namespace", "t-singleton", "--every", "200ms");
        String firstRun = s1.awaitLine("s1 runs the singleton task");
        long firstEpoch = epoch(firstRun);
        JvmProcess s2 = node("s2", "singleton", "--namespace", "t-singleton", "--every", "200ms");
        s2.awaitLine("leader is s1, epoch " + firstEpoch);

        s1.stop();
        assertThat(s1.out()).anyMatch(l -> l.contains("s1's task stopped: CLOSED"));
        String taken = s2.awaitLine("s2 runs the singleton task");
        assertThat(epoch(taken)).isGreaterThan(firstEpoch);
        s2.awaitLine("leader is s2 (this node), epoch " + epoch(taken));
    }

    @Test
    void lockHoldersTakeTurnsWithIncreasingTokensAndSeeTheOthersGuardedWrite() throws Exception {
        JvmProcess l1 = node("l1", "lock", "--namespace", "t-lock", "--hold", "300ms", "--pause", "300ms");
        JvmProcess l2 = node("l2", "lock", "--namespace", "t-lock", "--hold", "300ms", "--pause", "300ms");
        // each sees the other as the last holder: the other's guarded write reached it
        String l2Holds = l2.awaitLine(
                l -> l.contains("l2 holds the lock") && l.contains("last holder: l1 with token"),
                "l2 holding after l1");
        String l1Holds = l1.awaitLine(
                l -> l.contains("l1 holds the lock") && l.contains("last holder: l2 with token"),
                "l1 holding after l2");
        assertThat(token(l2Holds)).isGreaterThan(lastHolderToken(l2Holds));
        assertThat(token(l1Holds)).isGreaterThan(lastHolderToken(l1Holds));
    }

    @Test
    void aTransferAppendedByOneNodeIsAppliedByTheOthersAndReplayedByALateOne() throws Exception {
        JvmProcess g1 = node("g1", "ledger", "--namespace", "t-ledger");
        g1.awaitLine("g1 replayed the log: 0 events, balances {alice=100, bob=100, carol=100}");
        g1.awaitLine("Type a transfer");
        g1.type("alice bob 10");
        g1.awaitLine("g1 appended alice -> bob 10 at position 0");

        JvmProcess once = node("g2", "ledger", "--namespace", "t-ledger", "--append", "bob carol 25");
        assertThat(once.awaitExit(Duration.ofSeconds(30))).isEqualTo(0);
        assertThat(once.out()).anyMatch(l -> l.contains("g2 appended bob -> carol 25 at position 1"));
        g1.awaitLine("g1 applied up to: 2 events, balances {alice=90, bob=85, carol=125}");

        JvmProcess late = node("g3", "ledger", "--namespace", "t-ledger");
        late.awaitLine("g3 replayed the log: 2 events, balances {alice=90, bob=85, carol=125}");
    }

    @Test
    void aCommandSubmittedInOneNodeIsAppliedByTheLeaderAndSeenByTheOthersAlsoAfterTheLeaderStops() throws Exception {
        JvmProcess r1 = node("r1", "replicated", "--namespace", "t-replicated");
        r1.awaitLine("r1 sees version 0: {} (current)");
        r1.awaitLine("r1 is now the replication leader");
        JvmProcess r2 = node("r2", "replicated", "--namespace", "t-replicated");
        r2.awaitLine("r2 sees version 0: {} (current)");
        r2.awaitLine("Type 'claim SHARD'");

        // typed in r2, applied by the leader r1, seen by both
        r2.type("claim shard-1");
        r2.awaitLine("r2 claims shard-1: applied at position 0, version 1: {shard-1=r2}");
        r1.awaitLine("r1 sees version 1: {shard-1=r2}");
        r2.awaitLine("r2 sees version 1: {shard-1=r2}");

        // a one-shot submitter, as a third terminal would run it: rejected by the function, exit code 1
        JvmProcess r3 = node("r3", "replicated", "--namespace", "t-replicated", "--submit", "claim shard-1");
        assertThat(r3.awaitExit(Duration.ofSeconds(30))).isEqualTo(Demo.FAILED);
        assertThat(r3.out())
                .anyMatch(l -> l.contains("r3 claims shard-1: rejected at position 1 (")
                        && l.contains("shard-1 is owned by r2"));
        r1.awaitLine("r1 sees version 2: {shard-1=r2}");

        // the leader stops: r2 leads, and a command from another process is applied once, by r2
        r1.stop();
        assertThat(r1.out()).anyMatch(l -> l.contains("r1 stopping: closing the replicated state"));
        r2.awaitLine("r2 is now the replication leader");
        JvmProcess r4 = node("r4", "replicated", "--namespace", "t-replicated", "--submit", "claim shard-2");
        assertThat(r4.awaitExit(Duration.ofSeconds(30))).isEqualTo(Demo.OK);
        assertThat(r4.out())
                .anyMatch(l ->
                        l.contains("r4 claims shard-2: applied at position 2, version 3: {shard-1=r2, shard-2=r4}"));
        r2.awaitLine("r2 sees version 3: {shard-1=r2, shard-2=r4}");
        assertThat(r2.out()).noneMatch(l -> l.contains("r2 sees version 4"));
    }

    @Test
    void aJobHeldByAWorkerThatStopsIsDeliveredAgainToAnother() throws Exception {
        JvmProcess w1 = node("w1", "queue", "--namespace", "t-queue", "--work", "60s");
        w1.awaitLine("w1 waits for jobs");
        JvmProcess producer = node("producer", "queue", "--namespace", "t-queue", "--offer", "1");
        assertThat(producer.awaitExit(Duration.ofSeconds(30))).isEqualTo(0);
        assertThat(producer.out()).anyMatch(l -> l.contains("producer offered 1 jobs at positions 0..0"));
        String working = w1.awaitLine(
                l -> l.contains("w1 works on job-") && l.contains("(delivery 1)"),
                "w1 working",
                JvmProcess.DEFAULT_WAIT);
        String job = working.substring(working.indexOf("job-"), working.indexOf(" (delivery"));

        JvmProcess w2 = node("w2", "queue", "--namespace", "t-queue", "--work", "100ms");
        w2.awaitLine("w2 waits for jobs");
        w1.stop(); // stops before finishing: the job goes back
        assertThat(w1.out()).anyMatch(l -> l.contains("w1 stops before finishing " + job));
        w2.awaitLine("w2 works on " + job + " (delivery 2)");
        w2.awaitLine("w2 finished " + job + " and acknowledged it");
    }

    @Test
    void aNodeWithAMetricsPortServesItsMetersInPrometheusFormat() throws Exception {
        JvmProcess m = node("p1", "members", "--namespace", "t-metrics", "--metrics-port", "0");
        String line = m.awaitLine("p1 serves Prometheus metrics at ");
        URI uri = URI.create(line.substring(line.indexOf("http://")).trim());
        m.awaitLine("p1 registered");
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest get =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
        // the per-recipe gauges appear once the recipes have been read: scraped until they do
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body())
                    .contains("statesync_connection_connected")
                    .containsPattern("(?m)^statesync_recipe_members\\{.*\\} 1\\.0$");
        });

        JvmProcess outOfRange = node("p2", "members", "--namespace", "t-metrics", "--metrics-port", "70000");
        assertThat(outOfRange.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(outOfRange.stderr()).contains("--metrics-port must be from 0 to 65535, was 70000");

        // a port already taken (p1's): one line, exit code 2
        String takenPort = Integer.toString(uri.getPort());
        JvmProcess taken = node("p3", "members", "--namespace", "t-metrics", "--metrics-port", takenPort);
        assertThat(taken.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(taken.stderr())
                .contains("--metrics-port " + takenPort + ": cannot listen on 127.0.0.1:" + takenPort)
                .doesNotContain("\tat ");
    }

    @Test
    void anUnreachableZooKeeperFailsWithinTheConnectionTimeoutWithExitCode3() throws Exception {
        long t0 = System.nanoTime();
        JvmProcess p =
                DemoProcess.start("unreachable", "members", "--connect", "127.0.0.1:1", "--connection-timeout", "2s");
        nodes.add(p);
        assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(Demo.UNREACHABLE);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        assertThat(p.stderr()).contains("cannot reach ZooKeeper at 127.0.0.1:1 within 2.00 s");
    }

    @Test
    void anUnknownOptionListsTheValidOnesWithExitCode2() throws Exception {
        JvmProcess p = DemoProcess.start("unknown", "lock", "--connect", "127.0.0.1:1", "--hols", "1s");
        nodes.add(p);
        assertThat(p.awaitExit(Duration.ofSeconds(30))).isEqualTo(Demo.USAGE);
        assertThat(p.stderr())
                .contains("Unknown option")
                .contains("'--hols'")
                .contains("Possible solutions: --hold")
                .contains("--hold=DURATION")
                .contains("--pause=DURATION")
                .contains("--connect=HOST:PORT");
    }

    private static long epoch(String line) {
        Matcher m = EPOCH.matcher(line);
        assertThat(m.find()).as("an epoch in: " + line).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long token(String line) {
        Matcher m = TOKEN.matcher(line);
        assertThat(m.find()).as("a token in: " + line).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long lastHolderToken(String line) {
        Matcher m = Pattern.compile("last holder: \\S+ with token (\\d+)").matcher(line);
        assertThat(m.find()).as("the last holder's token in: " + line).isTrue();
        return Long.parseLong(m.group(1));
    }
}
