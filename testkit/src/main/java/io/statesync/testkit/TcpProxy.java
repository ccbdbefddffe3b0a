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
package io.statesync.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on loopback between clients and one server, to inject network faults for real.
 *
 * <ul>
 *   <li>{@link #pass()}: forward traffic both ways (the start state);
 *   <li>{@link #cut()}: reset every open connection; new ones are accepted and forwarded, so a
 *       client reconnects at once (a blip);
 *   <li>{@link #refuse()}: reset every open connection and refuse new ones until {@link #pass()}
 *       (the server looks down);
 *   <li>{@link #blackhole()}: keep every connection open but deliver nothing either way, and hold
 *       new connections without answering (a silent partition the client only notices by its
 *       own timeouts). Bytes held back are delivered in order after {@link #pass()}, as a healed
 *       network retransmits them;
 *   <li>{@link #dropRequests()}: throw away every byte from the clients (a request never reaches
 *       the server) until {@link #cut()} or {@link #pass()};
 *   <li>{@link #dropReplies()}: throw away every byte from the server (the server acts, the client
 *       never hears) until {@link #cut()} or {@link #pass()}. With a cut after it, a write's outcome
 *       is unknown to the client, on purpose.
 * </ul>
 *
 * <p>Thread-safe. Loopback only: it listens on 127.0.0.1 and forwards to the given target.
 */
public final class TcpProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);

    /** The proxy's fault mode. */
    public enum Mode {
        /** Forward traffic. */
        PASS,
        /** Refuse new connections. */
        REFUSE,
        /** Hold all traffic silently. */
        BLACKHOLE
    }

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Object lock = new Object();
    private final List<Connection> connections = new ArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong droppedRequestBytes = new AtomicLong();
    private Mode mode = Mode.PASS;
    private volatile boolean dropRequests;
    private volatile boolean dropReplies;
    private volatile boolean closed;

    private TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Starts a proxy to {@code host:port}.
     *
     * @param connectString the target, {@code host:port}
     * @return the running proxy
     * @throws IOException if it cannot listen
     */
    public static TcpProxy start(String connectString) throws IOException {
        int colon = connectString.lastIndexOf(':');
        if (colon <= 0 || connectString.indexOf(',') >= 0) {
            throw new IllegalArgumentException("a proxy forwards to one host:port, not \"" + connectString + '"');
        }
        return new TcpProxy(connectString.substring(0, colon), Integer.parseInt(connectString.substring(colon + 1)));
    }

    /**
     * The address clients connect to instead of the server.
     *
     * @return {@code 127.0.0.1:port}
     */
    public String connectString() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    /**
     * The current mode.
     *
     * @return the mode
     */
    public Mode mode() {
        synchronized (lock) {
            return mode;
        }
    }

    /**
     * How many client connections the proxy accepted so far.
     *
     * @return the count
     */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Forwards traffic again; releases anything a black hole held back and ends a drop. */
    public void pass() {
        endDrops();
        setMode(Mode.PASS);
    }

    /** Resets every open connection and ends a drop; new connections are forwarded. */
    public void cut() {
        endDrops();
        resetAll();
    }

    /**
     * From now on, bytes from the clients are thrown away, on open and new connections, until
     * {@link #cut()} or {@link #pass()}: requests never reach the server.
     */
    public void dropRequests() {
        dropRequests = true;
        LOG.info("proxy {} -> {}:{} now drops requests", connectString(), targetHost, targetPort);
    }

    /**
     * From now on, bytes from the server are thrown away, on open and new connections, until
     * {@link #cut()} or {@link #pass()}: the server acts on requests and the client never hears.
     */
    public void dropReplies() {
        dropReplies = true;
        LOG.info("proxy {} -> {}:{} now drops replies", connectString(), targetHost, targetPort);
    }

    /**
     * How many bytes from the clients were thrown away so far, to wait until a request was sent
     * into a drop.
     *
     * @return the count
     */
    public long droppedRequestBytes() {
        return droppedRequestBytes.get();
    }

    private void endDrops() {
        dropRequests = false;
        dropReplies = false;
    }

    /** Resets every open connection and refuses new ones until {@link #pass()}. */
    public void refuse() {
        setMode(Mode.REFUSE);
        resetAll();
    }

    /** Holds all traffic, open and new, without a word to either side. */
    public void blackhole() {
        setMode(Mode.BLACKHOLE);
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.debug("closing proxy listener", e);
        }
        resetAll();
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private void setMode(Mode newMode) {
        synchronized (lock) {
            mode = newMode;
            lock.notifyAll();
        }
        LOG.info("proxy {} -> {}:{} now {}", connectString(), targetHost, targetPort, newMode);
    }

    private void resetAll() {
        List<Connection> open;
        synchronized (lock) {
            open = new ArrayList<>(connections);
            connections.clear();
        }
        for (Connection c : open) {
            c.reset();
        }
    }

    /** Blocks while the proxy is black-holing; returns false if the proxy closed. */
    private boolean awaitFlowing() throws InterruptedException {
        synchronized (lock) {
            while (mode == Mode.BLACKHOLE && !closed) {
                lock.wait();
            }
            return !closed;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("proxy accept failed", e);
                }
                return;
            }
            accepted.incrementAndGet();
            Thread t = new Thread(() -> open(client), "tcp-proxy-open");
            t.setDaemon(true);
            t.start();
        }
    }

    private void open(Socket client) {
        try {
            if (mode() == Mode.REFUSE || !awaitFlowing() || mode() == Mode.REFUSE) {
                resetQuietly(client);
                return;
            }
            Socket server = new Socket(targetHost, targetPort);
            server.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
            Connection c = new Connection(client, server);
            synchronized (lock) {
                if (closed) {
                    c.reset();
                    return;
                }
                connections.add(c);
            }
            c.startPumps();
        } catch (IOException e) {
            resetQuietly(client);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            resetQuietly(client);
        }
    }

    private static void resetQuietly(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private final class Connection {
        private final Socket client;
        private final Socket server;

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void startPumps() {
            start(client, server, true);
            start(server, client, false);
        }

        private void start(Socket from, Socket to, boolean up) {
            Thread t = new Thread(() -> pump(from, to, up), "tcp-proxy-" + (up ? "up" : "down"));
            t.setDaemon(true);
            t.start();
        }

        private void pump(Socket from, Socket to, boolean up) {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (true) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    if (!awaitFlowing()) {
                        break;
                    }
                    if (up ? dropRequests : dropReplies) {
                        if (up) {
                            droppedRequestBytes.addAndGet(n);
                        }
                        continue;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other pump or a reset closed the sockets
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            reset();
        }

        void reset() {
            synchronized (lock) {
                connections.remove(this);
            }
            resetQuietly(client);
            resetQuietly(server);
        }
    }
}
