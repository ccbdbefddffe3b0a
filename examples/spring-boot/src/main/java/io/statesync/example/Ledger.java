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
package io.statesync.example;

import io.statesync.recipes.lock.DistributedLock;
import io.statesync.recipes.lock.FencedResource;
import io.statesync.recipes.lock.LockHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * Writes to a store that several instances share, one writer at a time, fenced: every write
 * carries the lock's token, and the store refuses a token lower than one it has already accepted,
 * so a holder that paused past its session (and lost the lock without knowing) cannot overwrite
 * its successor's work.
 */
@Service
public class Ledger {
    private final DistributedLock lock;
    // Stands in for the shared store: in production a database row with a "fencing_token" column,
    // written with "UPDATE ... SET ..., fencing_token = :token WHERE fencing_token <= :token".
    private final FencedResource<List<String>> store = new FencedResource<>(List.of());

    Ledger(DistributedLock ledgerLock) {
        this.lock = ledgerLock;
    }

    /**
     * Appends an entry under the lock.
     *
     * @param entry the entry
     * @return the fencing token the write carried
     * @throws InterruptedException if interrupted while waiting for the lock
     * @throws IllegalStateException if the store refused the token (a newer holder wrote first)
     * @throws io.statesync.core.StateSyncException if the lock could not be taken within 10 s
     */
    public long append(String entry) throws InterruptedException {
        try (LockHandle handle = lock.acquire(Duration.ofSeconds(10))) {
            long token = handle.token();
            boolean written = store.write(token, entries -> {
                List<String> next = new ArrayList<>(entries);
                next.add(token + ": " + entry);
                return List.copyOf(next);
            });
            if (!written) {
                throw new IllegalStateException("the ledger refused fencing token " + token);
            }
            return token;
        }
    }

    /**
     * The entries this instance wrote, each prefixed with its token.
     *
     * @return the entries
     */
    public List<String> entries() {
        return store.read();
    }
}
