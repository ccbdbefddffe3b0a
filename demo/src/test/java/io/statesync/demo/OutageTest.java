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

import io.statesync.testkit.JvmProcess;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node through a ZooKeeper outage, as an operator sees it in a terminal: it says what it waits for,
 * a line typed meanwhile gets an answer, no command dies, and work goes on when the server is back.
 */
@Timeout(180)
class OutageTest {
    private final List<JvmProcess> processes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        processes.forEach(JvmProcess::close);
    }

    private JvmProcess start(String name, String... args) throws Exception {
        JvmProcess p = DemoProcess.start(name, args);
        processes.add(p);
        return p;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aQueueWorkerSaysWhatItWaitsForAnswersATypedLineAndWorksAgainAfterTheOutage() throws Exception {
        int port = freePort();
        JvmProcess zk = start("zookeeper-1", "zookeeper", "--port", Integer.toString(port));
        String connect = zk.awaitLine("connect string: ").substring("connect string: ".length());
        JvmProcess worker = start(
                "w1", "queue", "--connect", connect, "--node", "w1", "--namespace", "t-outage", "--work", "100ms");
        worker.awaitLine("w1 waits for jobs");

        zk.stop();
        worker.awaitLine("connection SUSPENDED: waiting for ZooKeeper");
        worker.awaitLine("still waiting for ZooKeeper");
        worker.type("typed-during-the-outage");
        worker.awaitLine("ZooKeeper is not reachable now");

        JvmProcess back = start("zookeeper-2", "zookeeper", "--port", Integer.toString(port));
        back.awaitLine("connect string: ");
        // The line typed during the outage is answered: offered once the server is back, or given up
        // with a message (a fresh server has no session for the worker: it reconnects with a new one).
        worker.awaitLine(
                line -> line.contains("offered typed-during-the-outage") || line.contains("could not do that"),
                "an answer to the line typed during the outage");
        worker.awaitLine("connection RECONNECTED");

        worker.type("after-the-outage");
        worker.awaitLine("w1 finished after-the-outage and acknowledged it");
        assertThat(worker.stderr()).doesNotContain("Exception in thread");
        assertThat(worker.stop())
                .as("the worker was alive until stopped (SIGTERM: 128 + 15)")
                .isEqualTo(143);
        assertThat(worker.out()).anyMatch(line -> line.contains("w1 stopping"));
    }
}
