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
package io.statesync.recipes.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy that can drop one direction of traffic on the open connections: requests
 * (they never reach the server) or replies (the server acts, the client never hears). Together
 * with {@link #cut()} this makes a write's outcome unknown to the client, on purpose. New
 * connections after a cut are forwarded normally.
 */
final class DropProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicLong droppedUp = new AtomicLong();
    private volatile boolean dropRequests;
    private volatile boolean dropReplies;
    private volatile boolean closed;

    DropProxy(String target) throws IOException {
        this.targetPort = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "drop-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    String connectString() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /** From now on, bytes from the client are thrown away until {@link #cut()}. */
    void dropRequests() {
        dropRequests = true;
    }

    /** From now on, bytes from the server are thrown away until {@link #cut()}. */
    void dropReplies() {
        dropReplies = true;
    }

    long droppedRequestBytes() {
        return droppedUp.get();
    }

    /** Closes every open connection and forwards new ones normally. */
    void cut() {
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException e) {
                // closed already
            }
        }
        open.clear();
        dropRequests = false;
        dropReplies = false;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        cut();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                open.add(client);
                open.add(server);
                pump(client, server, true);
                pump(server, client, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean up) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try {
                        InputStream in = from.getInputStream();
                        OutputStream out = to.getOutputStream();
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            if (up ? dropRequests : dropReplies) {
                                if (up) {
                                    droppedUp.addAndGet(n);
                                }
                                continue;
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // closed
                    }
                    try {
                        from.close();
                        to.close();
                    } catch (IOException e) {
                        // closed
                    }
                },
                "drop-proxy-" + (up ? "up" : "down"));
        t.setDaemon(true);
        t.start();
    }
}
