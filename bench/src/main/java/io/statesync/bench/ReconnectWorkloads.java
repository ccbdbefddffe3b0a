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
package io.statesync.bench;

import io.statesync.core.ChangeKind;
import io.statesync.core.Codec;
import io.statesync.recipes.state.SharedState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.ZooKeeper;

/**
 * Reconnect storms: many clients, each with the same recipes on the same znodes, when the server
 * comes back from a crash (SIGKILL, restarted at once: the sessions survive) and after the sessions
 * expired (the server kept down past the clients' own expiry, four thirds of the session timeout).
 * Timed from the moment the server answers again to the moment every recipe shows a value written
 * right then by a raw client: the watches are back and every view caught up. Counted: every request
 * the restarted server received until then, less the writer's own, per recipe.
 */
final class ReconnectWorkloads {
    /** The recipes each client holds, one per znode; every client watches the same znodes. */
    static final int PER_CLIENT = 10;

    private static final byte[] BEFORE = "before-0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AFTER = "after--1".getBytes(StandardCharsets.US_ASCII);

    private ReconnectWorkloads() {}

    /** The clients of a storm: 20 in full mode, 5 in quick mode. */
    static int clients(boolean quick) {
        return quick ? 5 : 20;
    }

    static List<Comparison> all(boolean quick) {
        int clients = clients(quick);
        String shape = clients + " clients × " + PER_CLIENT + " recipes on the same " + PER_CLIENT + " znodes";
        String target = "consistent within one session timeout (" + BenchContext.SESSION_TIMEOUT.toMillis()
                + " ms), at most 2 requests per recipe";
        List<Comparison> all = new ArrayList<>();
        all.add(new Comparison(
                "storm-restart",
                "reconnect storm after a server crash and restart (sessions survive): " + shape,
                "consistent ms",
                false,
                target,
                List.of(
                        Comparison.variant("statesync SharedState", ctx -> statesync(ctx, clients, Duration.ZERO)),
                        Comparison.variant(
                                "Curator CuratorCache (one per znode)", ctx -> curator(ctx, clients, Duration.ZERO)))));
        if (!quick) {
            // Down past four thirds of the session timeout: each client gives its session up and
            // makes a new one; every watch must be set again.
            Duration down = BenchContext.SESSION_TIMEOUT.multipliedBy(3).dividedBy(2);
            all.add(new Comparison(
                            "storm-expiry",
                            "reconnect storm after the sessions expired (server down " + down.toSeconds() + " s): "
                                    + shape,
                            "consistent ms",
                            false,
                            "consistent within one session timeout (" + BenchContext.SESSION_TIMEOUT.toMillis()
                                    + " ms) of the server's return",
                            List.of(
                                    Comparison.variant("statesync SharedState", ctx -> statesync(ctx, clients, down)),
                                    Comparison.variant(
                                            "Curator CuratorCache (one per znode)",
                                            ctx -> curator(ctx, clients, down))))
                    .runOnce());
        }
        return all;
    }

    /**
     * Every view of a storm: the latch each view counts down once it has shown the value written
     * after the storm, and the RESYNCED changes the views reported.
     */
    private static final class Views {
        final CountDownLatch caughtUp;
        final AtomicInteger resynced = new AtomicInteger();

        Views(int n) {
            caughtUp = new CountDownLatch(n);
        }

        /** Called with every value one view shows; {@code done} is that view's: it counts down once. */
        void saw(AtomicBoolean done, byte[] value) {
            if (Arrays.equals(value, AFTER) && done.compareAndSet(false, true)) {
                caughtUp.countDown();
            }
        }
    }

    /** Starts one view of one znode in a client, loaded before it returns, reporting what it shows. */
    @FunctionalInterface
    private interface ViewStarter<C> {
        void start(C client, String path, Views views, AtomicBoolean done) throws Exception;
    }

    static Sample statesync(BenchContext ctx, int clients, Duration down) throws Exception {
        Views views = new Views(clients * PER_CLIENT);
        Sample storm = storm(ctx, clients, down, views, ctx::coordinator, (coordinator, path, v, done) -> {
            SharedState<byte[]> s = ctx.closeAfter(SharedState.builder(coordinator, path, Codec.bytes(), new byte[0])
                    .build());
            s.addListener(change -> {
                if (change.kind() == ChangeKind.RESYNCED) {
                    v.resynced.incrementAndGet();
                }
                change.current().ifPresent(value -> v.saw(done, value.value()));
            });
            s.start();
            if (!s.awaitInitialized(Duration.ofSeconds(60))) {
                throw new IllegalStateException("shared state " + path + " did not initialize");
            }
        });
        return storm.put("RESYNCED changes", views.resynced.get());
    }

    static Sample curator(BenchContext ctx, int clients, Duration down) throws Exception {
        Views views = new Views(clients * PER_CLIENT);
        return storm(ctx, clients, down, views, ctx::curator, (client, path, v, done) -> {
            CuratorCache cache = ctx.closeAfter(CuratorCache.build(client, path));
            CountDownLatch initialized = new CountDownLatch(1);
            cache.listenable()
                    .addListener(CuratorCacheListener.builder()
                            .forCreates(node -> v.saw(done, node.getData()))
                            .forChanges((before, node) -> v.saw(done, node.getData()))
                            .forInitialized(initialized::countDown)
                            .build());
            cache.start();
            if (!initialized.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("cache of " + path + " did not initialize");
            }
            cache.get(path).map(ChildData::getData).ifPresent(value -> v.saw(done, value));
        });
    }

    /** Sets up the znodes and {@code clients} clients with a view of each, then runs the storm. */
    private static <C> Sample storm(
            BenchContext ctx, int clients, Duration down, Views views, Callable<C> newClient, ViewStarter<C> view)
            throws Exception {
        List<String> paths = setUp(ctx);
        for (int c = 0; c < clients; c++) {
            C client = newClient.call();
            for (String path : paths) {
                view.start(client, path, views, new AtomicBoolean());
            }
        }
        return storm(ctx, paths, views, down);
    }

    /** The znodes every client watches, each holding {@link #BEFORE}; their paths relative to the run's root. */
    private static List<String> setUp(BenchContext ctx) throws Exception {
        ZooKeeper zk = ctx.zooKeeper();
        List<String> paths = InstanceWorkloads.createNodes(ctx, PER_CLIENT);
        for (String path : paths) {
            zk.setData(ctx.root() + path, BEFORE, -1);
        }
        return paths;
    }

    /** Crashes and restarts the server, writes {@link #AFTER} to every znode, waits for every view. */
    private static Sample storm(BenchContext ctx, List<String> paths, Views views, Duration down) throws Exception {
        int recipes = (int) views.caughtUp.getCount();
        long crashed = System.nanoTime();
        ctx.server().restart(down);
        long back = System.nanoTime();
        // The writer's requests: its connect request and one setData per znode.
        ZooKeeper writer = ctx.zooKeeper();
        for (String path : paths) {
            writer.setData(ctx.root() + path, AFTER, -1);
        }
        long writerRequests = 1L + paths.size();
        if (!views.caughtUp.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(views.caughtUp.getCount() + " of " + recipes
                    + " views did not show the value written after the storm within 120 s");
        }
        long consistent = System.nanoTime();
        // The server's counters started again at its restart: all of it is the storm's.
        long requests = ctx.packets() - writerRequests;
        return new Sample()
                .put("consistent ms", (consistent - back) / 1e6)
                .put("down ms", (back - crashed) / 1e6)
                .put("requests per recipe (pings included)", requests / (double) recipes)
                .put("recipes", recipes);
    }
}
