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

/** The recipes the command recognises, each by the layout of its znodes (statesync writes no kind marker). */
enum Kind {
    SHARED_STATE("shared-state"),
    STATE_TREE("state-tree"),
    LOCK("lock"),
    READ_WRITE_LOCK("read-write-lock"),
    SEMAPHORE("semaphore"),
    ELECTION("election"),
    MEMBERSHIP("membership"),
    EVENT_LOG("event-log"),
    WORK_QUEUE("work-queue"),
    REPLICATED_STATE("replicated-state");

    final String label;

    Kind(String label) {
        this.label = label;
    }
}
