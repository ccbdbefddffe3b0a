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
package io.statesync.recipes.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.testkit.ZooKeeperExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example of {@code docs/queue.md}: thumbnail jobs shared by three worker nodes. */
@Timeout(60)
class ThumbnailExampleTest {
    @RegisterExtension
    static final ZooKeeperExtension zk = ZooKeeperExtension.server();

    public record Job(String image, int width) {}

    /** One worker node: takes jobs, renders them, acknowledges; gives a job back when rendering fails. */
    static final class Worker implements AutoCloseable {
        final WorkQueue<Job> jobs;
        final Set<String> rendered;
        final List<DeadLetter<Job>> alerts = new CopyOnWriteArrayList<>();

        Worker(Coordinator coordinator, Set<String> rendered) {
            this.rendered = rendered;
            jobs = WorkQueue.builder(coordinator, "/thumbnails", Codec.json(Job.class))
                    .maxDeliveries(3) // a job that fails 3 times becomes a dead letter
                    .capacity(10_000) // producers wait (or fail) beyond this depth
                    .build();
            jobs.addDeadLetterListener(
                    change -> alerts.add(change.current().get().value()));
            jobs.start();
        }

        /** Processes jobs until none arrives for a while. */
        void work() throws InterruptedException {
            while (true) {
                Optional<Claim<Job>> taken = jobs.take(Duration.ofSeconds(2));
                if (taken.isEmpty()) {
                    return;
                }
                try (Claim<Job> claim = taken.get()) {
                    render(claim.value());
                    claim.ack();
                } catch (IllegalArgumentException badJob) {
                    // not acknowledged: close() gives it back, and after 3 deliveries it is a dead letter
                }
            }
        }

        private void render(Job job) {
            if (job.width() <= 0) {
                throw new IllegalArgumentException("cannot render " + job);
            }
            rendered.add(job.image() + "@" + job.width());
        }

        @Override
        public void close() {
            jobs.close(); // releases any claim still held
        }
    }

    @Test
    void threeWorkersRenderEveryJobOnceAndTheBrokenOneBecomesADeadLetter() throws Exception {
        List<Coordinator> coordinators = new ArrayList<>();
        List<Worker> workers = new ArrayList<>();
        Set<String> rendered = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            for (int i = 0; i < 3; i++) {
                Coordinator c = Coordinator.builder(zk.connectString())
                        .namespace(zk.namespace())
                        .build();
                c.start();
                c.awaitConnected(Duration.ofSeconds(10));
                coordinators.add(c);
                workers.add(new Worker(c, rendered));
            }
            List<Job> batch = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                batch.add(new Job("img-" + i + ".png", 128));
            }
            batch.add(new Job("broken.png", 0));
            workers.get(0).jobs.offerAll(batch); // one multi: all 51 jobs or none

            List<Future<?>> runs = new ArrayList<>();
            for (Worker w : workers) {
                runs.add(pool.submit(() -> {
                    w.work();
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(50, TimeUnit.SECONDS);
            }
            assertThat(rendered).hasSize(50);
            assertThat(workers.get(0).jobs.size()).isZero();
            List<DeadLetter<Job>> dead = workers.get(1).jobs.deadLetters(0, 10);
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).value()).contains(new Job("broken.png", 0));
            assertThat(dead.get(0).cause()).isEqualTo(DeadLetter.Cause.DELIVERIES_EXHAUSTED);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> workers.stream().allMatch(w -> w.alerts.size() == 1));
        } finally {
            pool.shutdownNow();
            for (Worker w : workers) {
                w.close();
            }
            for (Coordinator c : coordinators) {
                c.close();
            }
        }
    }
}
