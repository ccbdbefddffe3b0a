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

import io.statesync.core.Coordinator;
import io.statesync.core.GuardedWrite;
import io.statesync.core.LockLostException;
import io.statesync.core.OperationTimeoutException;
import io.statesync.core.StateSyncException;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.KeeperException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** One node taking turns on a fenced lock (DistributedLock) with the other nodes. */
@Command(
        name = "lock",
        mixinStandardHelpOptions = true,
        description = {
            "One node competing for a DistributedLock at /lock: it waits for the lock, holds it for --hold,"
                    + " records itself as the last holder with a lock-guarded write (a multi that checks its own"
                    + " lock znode, so a deposed holder's write bounces), releases, pauses, and queues again.",
            "Each holder's fencing token is higher than every earlier holder's. Stop the holder with Ctrl-C and the"
                    + " next node gets the lock at once; kill it with kill -9 and the next one gets it when the"
                    + " session timeout has passed."
        })
final class LockCommand extends NodeCommand {
    static final String PATH = "/lock";
    static final String LAST_HOLDER = "/lock-last-holder";

    @Option(
            names = "--hold",
            defaultValue = "3s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How long to hold the lock each time (default: ${DEFAULT-VALUE}).")
    Duration hold;

    @Option(
            names = "--pause",
            defaultValue = "1s",
            converter = DurationConverter.class,
            paramLabel = "DURATION",
            description = "How long to wait after releasing before queueing again (default: ${DEFAULT-VALUE}).")
    Duration pause;

    @Override
    int run(Console console, String id, StopSignal signal, Coordinator coordinator) throws Exception {
        try (DistributedLock lock = DistributedLock.builder(coordinator, PATH).build()) {
            try {
                coordinator
                        .curatorFramework()
                        .create()
                        .creatingParentContainersIfNeeded()
                        .forPath(LAST_HOLDER, utf8("nobody yet"));
            } catch (KeeperException.NodeExistsException e) {
                // another node created it first; keep what the last holder wrote
            }
            lock.addLockLostListener((handle, reason) ->
                    console.event(id + " LOST the lock (token " + handle.token() + "): " + reason.getMessage()));
            lock.start();
            boolean waiting = false;
            while (!signal.stopped()) {
                if (!waiting) {
                    console.event(id + " waits for the lock");
                    waiting = true;
                }
                LockHandle handle;
                try {
                    handle = lock.acquire(Duration.ofSeconds(1));
                } catch (OperationTimeoutException e) {
                    continue; // look at the stop signal, then wait on
                } catch (StateSyncException e) {
                    // An outage: the node says every few seconds that it is waiting for ZooKeeper.
                    console.event(id + " cannot wait for the lock now, and keeps trying: " + e.getMessage());
                    signal.await(Duration.ofSeconds(1));
                    continue;
                }
                waiting = false;
                try (handle) {
                    String previous = lastHolder(coordinator);
                    console.event(id + " holds the lock: fencing token " + handle.token() + " (last holder: " + previous
                            + ")");
                    String me = id + " with token " + handle.token();
                    handle.write(GuardedWrite.of().setData(LAST_HOLDER, utf8(me), -1));
                    console.event(id + " wrote \"" + me + "\" to " + LAST_HOLDER + " (lock-guarded)");
                    signal.await(hold);
                } catch (LockLostException e) {
                    console.event(id + "'s guarded write bounced: " + e.getMessage());
                } catch (StateSyncException e) {
                    console.event(id + ": " + e.getMessage());
                }
                console.event(id + " released the lock");
                signal.await(pause);
            }
            console.say(id + " stopping: releasing the lock and closing the session");
        }
        return Demo.OK;
    }

    /** What the last holder wrote, read once (no retries: an outage shows as "unknown"). */
    private static String lastHolder(Coordinator coordinator) throws InterruptedException {
        CompletableFuture<String> read = new CompletableFuture<>();
        try {
            coordinator
                    .curatorFramework()
                    .getData()
                    .inBackground((client, event) -> read.complete(
                            event.getResultCode() == 0 && event.getData() != null
                                    ? new String(event.getData(), StandardCharsets.UTF_8)
                                    : "unknown: " + KeeperException.Code.get(event.getResultCode())))
                    .forPath(LAST_HOLDER);
            return read.get(coordinator.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            return "unknown: " + e.getMessage();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
