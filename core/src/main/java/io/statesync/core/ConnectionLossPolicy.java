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
package io.statesync.core;

/**
 * When a recipe that holds something (leadership, a lock) must give it up. Decided once, on the
 * {@link Coordinator}, for every recipe built on it.
 *
 * <p>With session timeout T, a silent partition is noticed by the client at about 2T/3
 * (SUSPENDED), the server expires the session at about T, and the client reports LOST at about
 * 5T/3 or when it reconnects. Only {@link #ON_SUSPENDED} stops a holder before a successor can be
 * granted the same thing.
 */
public enum ConnectionLossPolicy {
    /**
     * The default and the safe choice: SUSPENDED and LOST are both losses. A holder stops about T/3
     * before the server can hand its lock or leadership to another client.
     */
    ON_SUSPENDED,
    /**
     * Only LOST (session expiry) is a loss; a holder keeps acting through a SUSPENDED connection. Use
     * only where two holders for up to 2T/3 are acceptable, in exchange for fewer step-downs on
     * brief network blips.
     */
    ON_LOST;

    /**
     * Whether a transition of the given kind is a loss under this policy.
     *
     * @param kind the transition
     * @return {@code true} if holders must give up
     */
    public boolean isLoss(ConnectionEvent.Kind kind) {
        return kind == ConnectionEvent.Kind.LOST || (this == ON_SUSPENDED && kind == ConnectionEvent.Kind.SUSPENDED);
    }
}
