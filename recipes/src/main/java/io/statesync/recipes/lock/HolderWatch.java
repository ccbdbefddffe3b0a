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
package io.statesync.recipes.lock;

import java.util.function.Consumer;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.jspecify.annotations.Nullable;

/**
 * The children watch a mutex, reader or writer sets with each read of the queue: it stands in
 * for the exact watch on the holder's own znode, saving a round trip when the lock is taken and
 * released with nobody else around. Any change among the children (the holder's znode deleted
 * among them) fires it; if the attempt holds by then, the exact watch is set at that moment (an
 * {@code exists}, which also finds the znode gone if that was the change). If it fired between
 * the last read and the moment the attempt holds, the exact watch is set at once.
 */
final class HolderWatch implements Watcher {
    /** Sets the exact watch on a handle's znode, if the handle is still held. */
    private final Consumer<Handle> watchExactly;
    /** Guarded by {@code this}. */
    private @Nullable Handle handle;
    /** Guarded by {@code this}: fired (or may have) since the last read of the queue was sent. */
    private boolean fired;

    HolderWatch(Consumer<Handle> watchExactly) {
        this.watchExactly = watchExactly;
    }

    /** Called just before each read of the queue, which sets the watch again. */
    synchronized void rearmed() {
        fired = false;
    }

    /** The attempt holds: {@code true} if the watch is still set and will hand over to the exact one. */
    synchronized boolean hold(Handle h) {
        if (fired) {
            return false;
        }
        handle = h;
        return true;
    }

    @Override
    public void process(WatchedEvent event) {
        if (event.getType() == Watcher.Event.EventType.None) {
            return; // connection states reach the holder through the coordinator's events
        }
        Handle h;
        synchronized (this) {
            fired = true;
            h = handle;
            handle = null;
        }
        if (h != null) {
            watchExactly.accept(h);
        }
    }
}
