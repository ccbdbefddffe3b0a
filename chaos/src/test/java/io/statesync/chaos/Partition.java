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
package io.statesync.chaos;

import io.statesync.testkit.TcpProxy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The network between one client node and every server of an {@link Ensemble}: one {@link TcpProxy}
 * per server, so the node, started on {@link #connectString()} instead of the ensemble's own, can be
 * cut off from all of them while its process keeps running ({@link #isolate()}: a silent partition,
 * noticed only by the client's own timeouts) and joined to them again ({@link #heal()}).
 */
final class Partition implements AutoCloseable {
    private final List<TcpProxy> proxies = new ArrayList<>();

    private Partition() {}

    /**
     * Starts one proxy to each server of {@code ensemble}, all forwarding.
     *
     * @param ensemble the servers
     * @return the running proxies, to close after the test
     * @throws IOException if a proxy cannot listen
     */
    static Partition of(Ensemble ensemble) throws IOException {
        Partition p = new Partition();
        try {
            for (int i = 0; i < ensemble.size(); i++) {
                p.proxies.add(TcpProxy.start(ensemble.connectString(i)));
            }
            return p;
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** The connect string a node behind this partition is started on: the proxies, one per server. */
    String connectString() {
        return String.join(",", proxies.stream().map(TcpProxy::connectString).toList());
    }

    /** Holds all traffic between the node and every server, open connections and new, without a word. */
    void isolate() {
        for (TcpProxy p : proxies) {
            p.blackhole();
        }
    }

    /** Forwards traffic again to every server (what was held back is delivered first). */
    void heal() {
        for (TcpProxy p : proxies) {
            p.pass();
        }
    }

    @Override
    public void close() {
        for (TcpProxy p : proxies) {
            p.close();
        }
    }
}
