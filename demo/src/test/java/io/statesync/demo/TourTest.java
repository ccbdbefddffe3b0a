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

import io.statesync.testkit.ZooKeeperExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** The README's first command, end to end: every step's outcome is checked, not just the exit code. */
@Timeout(120)
class TourTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Demo.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void theTourOnItsEmbeddedZooKeeperShowsEveryRecipeDoingItsJob() {
        Run run = run("tour");
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(Demo.OK);
        assertEveryStep(run.out());
        assertThat(run.out()).contains("Started an embedded ZooKeeper server at 127.0.0.1:");
    }

    @Test
    void theTourRunsTheSameAgainstAnExistingZooKeeper() {
        Run run = run("tour", "--connect", zk.connectString(), "--namespace", zk.namespace());
        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(Demo.OK);
        assertEveryStep(run.out());
        assertThat(run.out()).contains("Using the ZooKeeper at " + zk.connectString());
    }

    @Test
    void anUnreachableZooKeeperFailsTheTourWithExitCode3() {
        Run run = run("tour", "--connect", "127.0.0.1:1", "--connection-timeout", "1s", "--session-timeout", "2s");
        assertThat(run.exitCode()).isEqualTo(Demo.UNREACHABLE);
        assertThat(run.err()).contains("cannot reach ZooKeeper at 127.0.0.1:1 within 1.00 s");
    }

    private static void assertEveryStep(String out) {
        assertThat(out)
                // 1. membership
                .contains("=> OK: 3 nodes joined; every node sees [node-1, node-2, node-3]")
                // 2. shared config, with versions, on all three
                .contains("node-2 set rate-limit=250: version 1")
                .contains("node-1 applied config version 2: rate-limit=250,feature-x=on")
                .contains("node-2 applied config version 2: rate-limit=250,feature-x=on")
                .contains("node-3 applied config version 2: rate-limit=250,feature-x=on")
                .contains("=> OK: all 3 nodes applied version 2")
                // 3. the stale holder's writes bounce
                .contains("the store refuses node-1's write")
                .contains("node-1's guarded write is refused: LockLostException")
                .containsPattern("=> OK: stale holder node-1 \\(token \\d+\\) bounced")
                // 4. the ledger: three appenders, one late replayer, the same balances
                .containsPattern("node-4 replayed 12 events in .*: balances \\{alice=117, bob=84, carol=99\\}")
                .contains("=> OK: 12 transfers from 3 nodes; nodes 1-3 and late node-4")
                // 5. the work queue: a dead worker's job is delivered again, each job acknowledged once
                .contains("node-1 offered 12 jobs at positions 0..11")
                .containsPattern("=> OK: 12 jobs offered by node-1, each acknowledged exactly once; job-\\d+, held by"
                        + " node-2 when it died, was delivered again \\(delivery 2\\)")
                .contains("node-2's late ack was refused (LockLostException); queue empty")
                // 6. replicated state: one rejection fails only its own future; the leader dies; all agree
                .containsPattern("position \\d: node-\\d claims shard-1: rejected \\(.*shard-1 is owned by node-\\d\\);"
                        + " only node-\\d's future for it failed, with CommandRejectedException")
                .containsPattern("every node is at version 6: \\{shard-1=node-[13], shard-2=node-2, shard-3=node-3,"
                        + " shard-4=node-1, shard-5=node-2}")
                .containsPattern("=> OK: 7 commands from 3 nodes, applied one at a time; \"node-[13] claims shard-1\""
                        + " rejected \\(.*shard-1 is owned by node-[13]\\), only its own future failed; after leader"
                        + " node-\\d died, \"node-\\d claims shard-6\" was applied once \\(version 7\\); all 3 nodes at"
                        + " version 7, every future completed once")
                // 7. the singleton task moves with a higher epoch, the old one stopped first
                .containsPattern("=> OK: task moved from node-\\d \\(epoch \\d+\\) to node-\\d \\(epoch \\d+\\)")
                .contains("task stopped first")
                // 8. membership after the failover
                .containsPattern("=> OK: joins and leaves reached every node: now \\[node-\\d, node-\\d\\]")
                .contains("8 of 8 steps OK in")
                .doesNotContain("FAILED");
        assertThat(out.lines().filter(l -> l.startsWith("  => OK:"))).hasSize(8);
    }
}
