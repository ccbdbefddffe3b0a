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
package io.statesync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.statesync.core.Coordinator;
import io.statesync.testkit.ZooKeeperExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/** Runs the command in-process against a test server, and checks that read commands write nothing. */
final class CliTestSupport implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** What one run printed and returned. */
    record Result(int code, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + out + " (stderr: " + err + ")", e);
            }
        }

        List<JsonNode> jsonLines() {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    try {
                        lines.add(JSON.readTree(line));
                    } catch (Exception e) {
                        throw new AssertionError("not a JSON line: " + line, e);
                    }
                }
            }
            return lines;
        }
    }

    private final ZooKeeperExtension zk;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ZooKeeper raw;

    CliTestSupport(ZooKeeperExtension zk) throws Exception {
        this.zk = zk;
        CountDownLatch connected = new CountDownLatch(1);
        raw = new ZooKeeper(zk.connectString(), 30_000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        assertThat(connected.await(30, TimeUnit.SECONDS)).isTrue();
    }

    Coordinator coordinator() throws InterruptedException {
        return coordinator(zk.connectString());
    }

    Coordinator coordinator(String connectString) throws InterruptedException {
        Coordinator c = Coordinator.builder(connectString)
                .namespace(zk.namespace())
                .sessionTimeout(Duration.ofSeconds(20))
                .build();
        toClose.add(c);
        c.start();
        c.awaitConnected(Duration.ofSeconds(30));
        return c;
    }

    <T extends AutoCloseable> T later(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    ZooKeeper raw() {
        return raw;
    }

    /** Runs {@code statesync ARGS --connect ... --namespace ...}, with {@code stdin} as standard input. */
    Result runWithInput(String stdin, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--connect", zk.connectString(), "--namespace", zk.namespace()));
        return runRaw(stdin, all.toArray(String[]::new));
    }

    Result run(String... args) {
        return runWithInput("", args);
    }

    static Result runRaw(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Charset cs = Charset.defaultCharset();
        int code = Statesync.run(
                new ByteArrayInputStream(stdin.getBytes(cs)),
                new PrintStream(out, true, cs),
                new PrintStream(err, true, cs),
                args);
        return new Result(code, out.toString(cs), err.toString(cs));
    }

    /** Runs a read command and asserts that no znode of the server changed: versions, cversions, mzxids. */
    Result runReadOnly(String... args) throws Exception {
        Map<String, String> before = snapshot();
        Result r = run(args);
        assertThat(snapshot()).as("the znodes after %s", List.of(args)).isEqualTo(before);
        return r;
    }

    /** Every znode but ZooKeeper's own, with its version, child version and mzxid. */
    Map<String, String> snapshot() throws Exception {
        Map<String, String> out = new TreeMap<>();
        walk("/", out);
        return out;
    }

    private void walk(String path, Map<String, String> out) throws Exception {
        if (path.equals("/zookeeper")) {
            return;
        }
        Stat stat;
        List<String> children;
        try {
            stat = raw.exists(path, false);
            if (stat == null) {
                return;
            }
            children = raw.getChildren(path, false);
        } catch (KeeperException.NoAuthException e) {
            return; // another test's znodes, with a creator-only ACL
        }
        out.put(path, "v" + stat.getVersion() + " c" + stat.getCversion() + " m" + stat.getMzxid());
        for (String child : children) {
            walk(path.equals("/") ? "/" + child : path + "/" + child, out);
        }
    }

    @Override
    public void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        raw.close();
    }
}
