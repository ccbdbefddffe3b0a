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

/** Who may read and change the znodes a {@link Coordinator} creates. */
public enum AclMode {
    /** Anyone who can reach the ensemble may read and write (ZooKeeper's {@code world:anyone}). */
    OPEN,
    /**
     * Only the identity that created a znode may read or change it: ZooKeeper's {@code auth}
     * scheme with all permissions for the creator, nothing for anyone else. Requires digest
     * credentials ({@link Coordinator.Builder#digestAuthentication(String, String)}); every
     * coordinator of the service must use the same credentials. A client without them gets an
     * {@link AccessDeniedException}.
     */
    CREATOR_ONLY
}
