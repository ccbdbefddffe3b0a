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

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Records connection events for assertions. */
final class Connections implements ConnectionListener {
    final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onConnection(ConnectionEvent event) {
        events.add(event);
    }

    List<ConnectionEvent.Kind> kinds() {
        return events.stream().map(ConnectionEvent::kind).collect(Collectors.toList());
    }
}
