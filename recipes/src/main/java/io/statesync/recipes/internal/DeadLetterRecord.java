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

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A work queue's dead-letter record as stored at {@code P/dead/{g}/{s}/{d}}, before the item is
 * decoded with the queue's codec: a {@link PackFormat} record with two parts, the item's data (the
 * item's own record, or raw bytes if it was not one) and {@code key=value} lines {@code position},
 * {@code cause}, {@code deliveries}, {@code detail}. The work queue and read-only tools read it
 * through here. Not part of statesync's API.
 *
 * @param position the item's position when it died, or -1 if not recorded
 * @param cause why it died: the name of a {@code DeadLetter.Cause}
 * @param deliveries how many times it was handed out
 * @param detail the reason in words
 * @param encoded the item's data as the codec encoded it (the raw data if it was not a queue record)
 */
@SuppressWarnings("ArrayRecordComponent")
public record DeadLetterRecord(long position, String cause, int deliveries, String detail, byte[] encoded) {

    /**
     * Decodes a dead-letter record.
     *
     * @param path the record's path, for errors
     * @param data the record znode's data
     * @return the record
     * @throws IllegalArgumentException if the data is not a dead-letter record (not a pack, no
     *     header part, or a field that is not a number)
     * @throws io.statesync.core.IncompatibleLayoutException if it is in a newer release's layout
     */
    public static DeadLetterRecord decode(String path, byte[] data) {
        List<byte[]> parts = PackFormat.decode(path, data).events();
        if (parts.size() < 2) {
            throw new IllegalArgumentException("no dead-letter header in " + path);
        }
        long position = -1;
        String cause = "UNDECODABLE";
        int deliveries = 0;
        String detail = "";
        for (String line : new String(parts.get(1), StandardCharsets.UTF_8).split("\n", -1)) {
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String value = line.substring(eq + 1);
            switch (line.substring(0, eq)) {
                case "position" -> position = Long.parseLong(value);
                case "cause" -> cause = value;
                case "deliveries" -> deliveries = Integer.parseInt(value);
                case "detail" -> detail = value;
                default -> {}
            }
        }
        byte[] raw = parts.get(0);
        byte[] encoded = raw;
        try {
            encoded = PackFormat.decode(path, raw).events().get(0);
        } catch (IllegalArgumentException e) {
            // not a queue record: keep the raw bytes
        }
        return new DeadLetterRecord(position, cause, deliveries, detail, encoded);
    }
}
