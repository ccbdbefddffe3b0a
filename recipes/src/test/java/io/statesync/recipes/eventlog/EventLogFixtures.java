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
package io.statesync.recipes.eventlog;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.testing.TestNodes;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;

/** Shared setup for the event-log tests. */
final class EventLogFixtures {
    private EventLogFixtures() {}

    static Coordinator connect(ZooKeeperExtension zk, String connectString) throws InterruptedException {
        return connect(zk, connectString, Duration.ofSeconds(20));
    }

    static Coordinator connect(ZooKeeperExtension zk, String connectString, Duration sessionTimeout)
            throws InterruptedException {
        return TestNodes.open(
                zk, connectString, b -> b.sessionTimeout(sessionTimeout).connectionTimeout(Duration.ofSeconds(2)));
    }

    /**
     * A log's storage with the builder's defaults but the segment size given, for a test that
     * needs to see its writer id and sequence (to write what a lost reply leaves behind).
     */
    static LogStore store(Coordinator node, String path, int segmentSize) {
        return new LogStore(node, path, segmentSize, LogStore.DEFAULT_GROUP_SIZE, Duration.ofSeconds(60));
    }

    /** An event log on a store the test holds; not started. */
    static <E> EventLog<E> log(Coordinator node, Codec<E> codec, LogStore store) {
        return new DefaultEventLog<>(node, codec, store);
    }
}
