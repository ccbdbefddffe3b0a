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

import io.statesync.core.Coordinator;
import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.LockHandle;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A process of its own that takes a lock, prints {@code HOLDS <token> 0x<session>}, holds it until
 * a line {@code release} is typed (or its input ends), then prints {@code RELEASED} and exits.
 * Arguments: connect string, namespace, lock path.
 */
public final class LockHolderProcess {
    private LockHolderProcess() {}

    public static void main(String[] args) throws Exception {
        try (Coordinator coordinator =
                Coordinator.builder(args[0]).namespace(args[1]).build()) {
            coordinator.start();
            coordinator.awaitConnected(Duration.ofSeconds(30));
            try (DistributedLock lock =
                    DistributedLock.builder(coordinator, args[2]).build()) {
                lock.start();
                LockHandle handle = lock.acquire(Duration.ofSeconds(30));
                System.out.println("HOLDS " + handle.token() + " 0x" + Long.toHexString(coordinator.sessionId()));
                System.out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line = in.readLine(); line != null && !line.equals("release"); line = in.readLine()) {
                    // waits for the test
                }
                handle.close();
                System.out.println("RELEASED");
                System.out.flush();
            }
        }
    }
}
