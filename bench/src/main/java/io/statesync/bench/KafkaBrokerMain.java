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
package io.statesync.bench;

import io.statesync.testkit.KafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import org.apache.kafka.common.test.KafkaClusterTestKit;

/**
 * The bench's Kafka broker process: one combined broker and controller in KRaft mode (Kafka's own
 * {@code KafkaClusterTestKit}, the broker of statesync's Kafka tests), its data under {@code
 * java.io.tmpdir}. Prints {@code bootstrap=HOST:PORT} once it serves, and stops when its standard
 * input closes (the bench closed it, or the bench died) or when it is killed. Started by {@link
 * KafkaProcess}.
 */
public final class KafkaBrokerMain {
    /** The line prefix that carries the broker's address on standard output. */
    static final String BOOTSTRAP = "bootstrap=";

    private KafkaBrokerMain() {}

    /**
     * Entry point.
     *
     * @param args none
     * @throws Exception if the broker cannot be formatted or started
     */
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        KafkaClusterTestKit cluster = KafkaBroker.startOne();
        try {
            System.out.printf("started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            System.out.println(BOOTSTRAP + cluster.bootstrapServers());
            System.out.flush();
            awaitEndOfInput(System.in);
        } finally {
            cluster.close();
        }
    }

    private static void awaitEndOfInput(InputStream in) throws IOException {
        byte[] buffer = new byte[64];
        while (in.read(buffer) >= 0) {
            // nothing is sent on standard input: it only closes
        }
    }
}
