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
package io.statesync.recipes.internal;

/**
 * One undecoded event as an event log's storage read it. Never compared; the array is not copied.
 *
 * @param position the event's position in the log
 * @param data the encoded event
 * @param label where it is stored, for error messages (a znode path, or a topic, partition and offset)
 * @param czxid the zxid that created it (ZooKeeper storage), or 0
 * @param mzxid the zxid that last modified it (ZooKeeper storage), or 0
 */
@SuppressWarnings("ArrayRecordComponent")
public record StoredEvent(long position, byte[] data, String label, long czxid, long mzxid) {}
