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
import io.statesync.core.Coordinator;
import io.statesync.core.StateListener;
import io.statesync.recipes.state.SharedState;
import io.statesync.recipes.watch.StateTree;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared state and tree workloads. */
final class StateWorkloads {
    static final int WRITERS = 4;
    static final int SUBSCRIBERS = 10;
    static final int TREE_KEYS = 10_000;

    private StateWorkloads() {}

    static List<Comparison> all() {
        return List.of(
                new Comparison(
                        "state-update-1",
                        "shared state: update, 1 writer",
                        "updates/s",
                        true,
                        ">= 0.95× raw setData with version",
                        List.of(
                                Comparison.variant("statesync", StateWorkloads::updateOneWriter),
                                Comparison.variant("raw ZooKeeper setData(version)", References::rawSetDataWithVersion),
                                Comparison.variant(
                                        "raw ZooKeeper multi(setData(version), marker setData), watched",
                                        References::rawMultiWithMarkerOnWatchedNode),
                                Comparison.variant("Curator SharedValue", References::curatorSharedValueOneWriter))),
                new Comparison(
                        "state-update-4",
                        "shared state: update, " + WRITERS + " writers in " + WRITERS + " clients",
                        "updates/s",
                        true,
                        ">= 1.4× Curator SharedValue, >= 0.8× the single writer, every share > 1/2 of equal",
                        List.of(
                                Comparison.variant("statesync", ctx -> updateWriters(ctx, WRITERS)),
                                Comparison.variant(
                                        "Curator SharedValue",
                                        ctx -> References.curatorSharedValueWriters(ctx, WRITERS)),
                                Comparison.variant(
                                        "raw ZooKeeper compare-and-set loop",
                                        ctx -> References.rawCasWriters(ctx, WRITERS)))),
                new Comparison(
                        "state-propagation",
                        "shared state: write-to-listener latency, " + SUBSCRIBERS + " subscribed clients",
                        "write-to-listener p99 ms",
                        false,
                        "p99 <= Curator CuratorCache (about 1–1.3 ms)",
                        List.of(
                                Comparison.variant(
                                        "statesync (default listener executor)",
                                        ctx -> propagation(ctx, SUBSCRIBERS, false)),
                                Comparison.variant(
                                        "Curator CuratorCache",
                                        ctx -> References.curatorCachePropagation(ctx, SUBSCRIBERS)),
                                Comparison.secondFigure(
                                        "statesync, listener inline (second figure, no ratio)",
                                        ctx -> propagation(ctx, SUBSCRIBERS, true)))),
                new Comparison(
                        "tree-load",
                        "tree watcher: initial load of " + TREE_KEYS + " keys",
                        "initial load ms",
                        false,
                        "load time and heap <= Curator's one-level cache (CuratorCache was about 1.2 s, 3.2 MiB)",
                        List.of(
                                Comparison.variant("statesync", ctx -> treeLoad(ctx, TREE_KEYS)),
                                Comparison.variant(
                                        "Curator PathChildrenCache (one level; like for like)",
                                        ctx -> References.pathChildrenCacheTreeLoad(ctx, TREE_KEYS)),
                                Comparison.unlike(
                                        "Curator CuratorCache (recursive; second reference, not like for like)",
                                        ctx -> References.curatorCacheTreeLoad(ctx, TREE_KEYS)))));
    }

    /** A started, loaded {@code SharedState<Long>} at {@code /value}, initially 0. */
    static SharedState<Long> counter(Coordinator c) throws InterruptedException {
        SharedState<Long> state =
                SharedState.builder(c, "/value", Codec.longs(), 0L).build();
        state.start();
        if (!state.awaitInitialized(Duration.ofSeconds(30))) {
            throw new IllegalStateException("shared state did not initialize");
        }
        return state;
    }

    static Sample updateOneWriter(BenchContext ctx) throws Exception {
        SharedState<Long> state = ctx.closeAfter(counter(ctx.coordinator()));
        state.update(x -> x + 1);
        return Loops.timed(ctx, () -> {
                    state.update(x -> x + 1);
                    return true;
                })
                .sample("updates/s", "update");
    }

    /**
     * Several writers in as many clients incrementing one counter: each update function call is one
     * attempt (the update applies the function again after losing a race).
     */
    static Sample updateWriters(BenchContext ctx, int writers) throws Exception {
        List<SharedState<Long>> states = new ArrayList<>();
        List<Loops.Attempts> callers = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            SharedState<Long> s = ctx.closeAfter(counter(ctx.coordinator()));
            states.add(s);
            callers.add(() -> {
                AtomicInteger calls = new AtomicInteger();
                s.update(x -> {
                    calls.incrementAndGet();
                    return x + 1;
                });
                return calls.get();
            });
        }
        long before = states.get(0).update(x -> x).value();
        Sample sample = Loops.contended(ctx, callers);
        long after = Objects.requireNonNull(states.get(0).read().orElseThrow().value());
        checkNoLostUpdates(sample, after - before);
        return sample;
    }

    /** Throws if the counter moved by other than the number of updates measured. */
    static void checkNoLostUpdates(Sample sample, long moved) {
        long updates = Math.round(Objects.requireNonNull(sample.figures().get("updates")));
        if (moved != updates) {
            throw new IllegalStateException("lost updates: " + updates + " updates moved the counter by " + moved);
        }
    }

    /**
     * Write-to-listener latency. By default each subscriber's listener runs on its coordinator's
     * listener executor (a hand-off to another thread, as CuratorCache's listeners always have);
     * {@code inline} runs it on the thread that delivers the change.
     */
    static Sample propagation(BenchContext ctx, int subscribers, boolean inline) throws Exception {
        SharedState<Long> writer = ctx.closeAfter(counter(ctx.coordinator()));
        return Propagation.measure(ctx, subscribers, writer::set, onValue -> {
            SharedState<Long> reader = ctx.closeAfter(counter(ctx.coordinator()));
            StateListener<Long> listener = change -> {
                if (change.kind() == ChangeKind.UPDATED) {
                    onValue.accept(change.current().orElseThrow().value());
                }
            };
            if (inline) {
                reader.addListener(listener, Runnable::run);
            } else {
                reader.addListener(listener);
            }
        });
    }

    static Sample treeLoad(BenchContext ctx, int keys) throws Exception {
        TreeLoad load = loadStateTree(ctx, References.createTree(ctx, keys), keys);
        return new Sample()
                .put("initial load ms", load.loadMs())
                .put("retained heap MiB", load.heapBytes() / (1024.0 * 1024.0))
                .put("requests/key", load.requests() / (double) keys);
    }

    /** What one load of a {@link StateTree} took: time, requests and retained heap. */
    record TreeLoad(double loadMs, long requests, long heapBytes) {}

    /**
     * Loads a {@link StateTree} of the tree at {@code tree} (closed after the workload): the clock
     * runs from before {@code build()} to the initialized event; the heap is measured before the
     * build and after the load; fails unless it holds {@code keys} keys.
     */
    static TreeLoad loadStateTree(BenchContext ctx, String tree, int keys) throws Exception {
        Coordinator c = ctx.coordinator();
        long heapBefore = References.usedHeapAfterGc();
        long packets = ctx.packets();
        long t = System.nanoTime();
        StateTree<byte[]> view =
                ctx.closeAfter(StateTree.builder(c, tree, Codec.bytes()).build());
        view.start();
        if (!view.awaitInitialized(Duration.ofMinutes(2))) {
            throw new IllegalStateException("StateTree did not initialize");
        }
        double loadMs = (System.nanoTime() - t) / 1e6;
        long requests = ctx.packets() - packets;
        long heapAfter = References.usedHeapAfterGc();
        if (view.size() != keys) {
            throw new IllegalStateException("StateTree holds " + view.size() + " of " + keys + " keys");
        }
        return new TreeLoad(loadMs, requests, heapAfter - heapBefore);
    }
}
